import { ErrorText } from '../../components/ErrorText.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { useCommandMutation, useCommandQuery } from '../../queries/console-queries.js';
import { CapturedBody } from './CapturedBody.js';

/** A request with more headers than this is shown cut; the full capture stays available to replay. */
const SHOWN_HEADERS_MAX = 50;

/** One delivery: redacted headers, the verification trace, and a replay to the local receiver. */
export function DeliveryDrawer({ fleetId, nodeUrl, requestId, onClose }: { fleetId: string; nodeUrl: string; requestId: string; onClose: () => void }) {
  const detail = useCommandQuery('deliveries.get', { fleetId, nodeUrl, requestId });
  const replay = useCommandMutation('deliveries.replay', []);
  const delivery = detail.data;

  return (
    <aside className="drawer" role="dialog" aria-label={`Delivery ${requestId}`}>
      <header className="card-header">
        <h2>Delivery</h2>
        <button className="secondary" onClick={onClose} aria-label="Close the delivery details">
          Close
        </button>
      </header>
      <ErrorText error={detail.error} />
      {delivery && (
        <>
          <p>
            <StatusBadge status={delivery.outcome} /> {delivery.status} {delivery.reason ?? ''} — {delivery.integrationId ?? 'no integration'} from {delivery.sourceIp}
          </p>
          {delivery.detail && <p className="muted">{delivery.detail}</p>}
          <h3>Verification</h3>
          <ol className="trace">
            {delivery.trace.map((step) => (
              <li key={step.step}>
                <strong>{step.step}</strong>: {step.result}
              </li>
            ))}
          </ol>
          <p className="muted">
            Matched secret: {delivery.secretId ?? 'none'} · timestamp skew: {delivery.skewMs === null ? 'n/a' : `${(delivery.skewMs / 1000).toFixed(1)} s`} · body {delivery.bodySize} bytes
          </p>
          <h3>Headers (signatures and credentials redacted)</h3>
          <table>
            <tbody>
              {Object.entries(delivery.headers)
                .slice(0, SHOWN_HEADERS_MAX)
                .map(([name, value]) => (
                  <tr key={name}>
                    <td>
                      <code>{name}</code>
                    </td>
                    <td>
                      <code>{value}</code>
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
          {delivery.captured && <CapturedBody fleetId={fleetId} nodeUrl={nodeUrl} requestId={requestId} />}
          {delivery.captured && (
            <div className="actions">
              <button onClick={() => replay.mutate({ fleetId, nodeUrl, requestId, target: { kind: 'local' }, mode: 're-signed' })}>Replay locally (re-signed)</button>
              <button className="secondary" onClick={() => replay.mutate({ fleetId, nodeUrl, requestId, target: { kind: 'local' }, mode: 'as-captured' })}>
                Replay as captured
              </button>
            </div>
          )}
          <ErrorText error={replay.error} />
          {replay.data && (
            <p>
              Local receiver answered <strong>{replay.data.status}</strong>: <code>{replay.data.body}</code>
            </p>
          )}
        </>
      )}
    </aside>
  );
}
