import type { AuditLog } from '../../../../shared/contract/admin-api.js';
import { Badge } from '../../components/Badge.js';
import { ErrorText } from '../../components/ErrorText.js';
import { dateTime } from '../../components/format.js';
import { FleetPicker, useFleetChoice } from '../../components/FleetPicker.js';
import { useAudit } from '../../queries/commands.js';

/** Details are whatever the node recorded: shown as short "key: value" pairs rather than raw JSON. */
function Details({ details }: { details: Readonly<Record<string, unknown>> }) {
  const entries = Object.entries(details);
  if (entries.length === 0) return <span className="muted">—</span>;
  return (
    <dl className="details">
      {entries.map(([key, value]) => (
        <div key={key}>
          <dt>{key}</dt>
          <dd>{typeof value === 'string' ? value : JSON.stringify(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

function ChainStatus({ chain }: { chain: AuditLog['chain'] }) {
  return chain.verified ? (
    <Badge tone="ok">chain verified</Badge>
  ) : (
    <Badge tone="bad" title="An entry was changed or removed after it was written">{`chain broken at entry ${chain.brokenAt ?? '?'}`}</Badge>
  );
}

function NodeAudit({ url, audit, error }: { url: string; audit: AuditLog | undefined; error: string | undefined }) {
  return (
    <article className="card" aria-label={`Audit of ${url}`}>
      <header className="card-header">
        <h2>
          <code>{url}</code>
        </h2>
        {audit && <ChainStatus chain={audit.chain} />}
      </header>
      {error && <p className="error">This node did not answer: {error}</p>}
      {audit?.entries.length === 0 && <p className="muted">No admin action on this node yet.</p>}
      {audit && audit.entries.length > 0 && (
        <table>
          <thead>
            <tr>
              <th className="numeric">#</th>
              <th>When</th>
              <th>Actor</th>
              <th>Action</th>
              <th>Integration</th>
              <th>Details</th>
            </tr>
          </thead>
          <tbody>
            {[...audit.entries].reverse().map((entry) => {
              const broken = !audit.chain.verified && audit.chain.brokenAt === entry.seq;
              return (
                <tr key={entry.seq} className={broken ? 'broken' : undefined}>
                  <td className="numeric">
                    {entry.seq}
                    {broken && <Badge tone="bad">broken here</Badge>}
                  </td>
                  <td className="nowrap">{dateTime(entry.at)}</td>
                  <td>{entry.actor}</td>
                  <td className="nowrap">{entry.action}</td>
                  <td className="nowrap">{entry.integrationId ?? ''}</td>
                  <td>
                    <Details details={entry.details} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </article>
  );
}

/** Every admin action and refusal per node, and whether its hash chain still verifies. */
export function AuditScreen() {
  const choice = useFleetChoice();
  const audit = useAudit(choice.fleetId, choice.ready);

  return (
    <section aria-labelledby="audit-title">
      <header className="screen-header">
        <h1 id="audit-title">Audit</h1>
        <FleetPicker choice={choice} />
      </header>
      <ErrorText error={audit.error} />
      {(audit.data ?? []).map((node) => (
        <NodeAudit key={node.url} url={node.url} audit={node.audit} error={node.error} />
      ))}
    </section>
  );
}
