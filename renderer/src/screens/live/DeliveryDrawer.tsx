import { useEffect, useRef } from 'react';
import type { CommandResult } from '../../../../shared/contract/console.js';
import { DIAGNOSIS_ADVICE } from '../../components/diagnosis-advice.js';
import { ErrorText } from '../../components/ErrorText.js';
import { dateTime, seconds } from '../../components/format.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { useDeliveryDetail } from '../../queries/commands.js';
import { useCommandMutation } from '../../queries/console-queries.js';
import { CapturedBody } from './CapturedBody.js';
import type { DeliveryRef } from './LiveList.js';
import { RedriveDelivery } from './RedriveDelivery.js';
import { ReplayAnswer } from './ReplayAnswer.js';
import { TraceSteps } from './TraceSteps.js';

/** A request with more headers than this is shown cut; the full capture stays available to replay. */
const SHOWN_HEADERS_MAX = 50;

type Detail = CommandResult<'deliveries.get'>;

function Verification({ delivery }: { delivery: Detail }) {
  return (
    <>
      <h3>Verification</h3>
      <TraceSteps trace={delivery.trace} />
      <dl className="facts">
        <dt>Matched secret</dt>
        <dd>{delivery.secretId ?? 'none'}</dd>
        <dt>Timestamp skew</dt>
        <dd>{seconds(delivery.skewMs)}</dd>
        <dt>Node</dt>
        <dd>
          {delivery.nodeId} <span className="muted">({delivery.nodeUrl})</span>
        </dd>
        <dt>Delivery id</dt>
        <dd>{delivery.deliveryId ?? '—'}</dd>
        <dt>Body</dt>
        <dd>{delivery.bodySize} bytes</dd>
      </dl>
      {delivery.diagnosis && <p className="warn-text">{DIAGNOSIS_ADVICE[delivery.diagnosis]}</p>}
    </>
  );
}

function RedactedHeaders({ headers }: { headers: Readonly<Record<string, string>> }) {
  const entries = Object.entries(headers);
  return (
    <>
      <h3>Headers (signatures and credentials redacted)</h3>
      <table className="headers">
        <tbody>
          {entries.slice(0, SHOWN_HEADERS_MAX).map(([name, value]) => (
            <tr key={name}>
              <th scope="row">
                <code>{name}</code>
              </th>
              <td>
                <code>{value}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {entries.length > SHOWN_HEADERS_MAX && <p className="muted">{entries.length - SHOWN_HEADERS_MAX} more headers not shown.</p>}
    </>
  );
}

function ReplayLocally({ at }: { at: DeliveryRef }) {
  const replay = useCommandMutation('deliveries.replay');
  return (
    <>
      <h3>Replay locally</h3>
      <div className="actions">
        <button type="button" disabled={replay.isPending} onClick={() => replay.mutate({ ...at, target: { kind: 'local' }, mode: 're-signed' })}>
          Replay locally
        </button>
        <button type="button" className="secondary" disabled={replay.isPending} onClick={() => replay.mutate({ ...at, target: { kind: 'local' }, mode: 'as-captured' })}>
          Replay as captured
        </button>
      </div>
      <p className="muted small">“Replay locally” re-signs with the local receiver's secret and a fresh timestamp; “as captured” keeps the original signature to reproduce a failure.</p>
      <ErrorText error={replay.error} />
      {replay.data && <ReplayAnswer answer={replay.data} />}
    </>
  );
}

/** One delivery: what the receiver did with it and why, its redacted request, and a local replay. */
export function DeliveryDrawer({ at, onClose }: { at: DeliveryRef; onClose: () => void }) {
  const detail = useDeliveryDetail(at);
  const heading = useRef<HTMLHeadingElement>(null);
  const delivery = detail.data;
  // The drawer takes the focus when it opens, so that the keyboard is where the eyes are.
  useEffect(() => heading.current?.focus(), [at.requestId]);

  return (
    <aside
      className="drawer"
      role="dialog"
      aria-modal="false"
      aria-labelledby="drawer-title"
      onKeyDown={(event) => {
        if (event.key === 'Escape') onClose();
      }}>
      <header className="card-header">
        <h2 id="drawer-title" tabIndex={-1} ref={heading}>
          Delivery <code>{at.requestId.slice(0, 8)}</code>
        </h2>
        <button type="button" className="secondary" onClick={onClose} aria-label="Close the delivery details">
          Close
        </button>
      </header>
      <ErrorText error={detail.error} />
      {detail.isPending && <p className="muted">Loading…</p>}
      {delivery && (
        <>
          <p>
            <StatusBadge status={delivery.outcome} /> HTTP {delivery.status}
            {delivery.reason ? ` — ${delivery.reason}` : ''} · {delivery.integrationId ?? 'no integration'} · from {delivery.sourceIp} · {dateTime(delivery.receivedAt)}
          </p>
          {delivery.detail && <p className="muted">{delivery.detail}</p>}
          <Verification delivery={delivery} />
          <RedactedHeaders headers={delivery.headers} />
          {delivery.captured ? (
            <>
              <ReplayLocally at={at} />
              {delivery.integrationId !== null && (delivery.outcome === 'accepted' || delivery.outcome === 'held') && (
                <RedriveDelivery at={at} integrationId={delivery.integrationId} />
              )}
              <CapturedBody at={at} loggedHeaders={delivery.headers} />
            </>
          ) : (
            <p className="muted">The body was not captured, so this delivery cannot be shown or replayed.</p>
          )}
        </>
      )}
    </aside>
  );
}
