import { ErrorText } from '../../components/ErrorText.js';
import { FleetPicker, useFleetChoice } from '../../components/FleetPicker.js';
import { useCommandQuery } from '../../queries/console-queries.js';

/** Every admin action and refusal per node, and whether its hash chain still verifies. */
export function AuditScreen() {
  const choice = useFleetChoice();
  const audit = useCommandQuery('audit.list', { fleetId: choice.fleetId }, { enabled: choice.ready });

  return (
    <section aria-labelledby="audit-title">
      <header className="screen-header">
        <h1 id="audit-title">Audit</h1>
        <FleetPicker choice={choice} />
      </header>
      <ErrorText error={audit.error} />
      {(audit.data ?? []).map((node) => (
        <article key={node.url} className="card">
          <header className="card-header">
            <h2>{node.url}</h2>
            {node.audit &&
              (node.audit.chain.verified ? (
                <span className="badge badge-ok">chain verified</span>
              ) : (
                <span className="badge badge-bad">chain broken at entry {node.audit.chain.brokenAt}</span>
              ))}
          </header>
          {node.error && <p className="error">{node.error}</p>}
          {node.audit?.entries.length === 0 && <p className="muted">No admin action on this node yet.</p>}
          <table>
            <thead>
              <tr>
                <th>#</th>
                <th>When</th>
                <th>Actor</th>
                <th>Action</th>
                <th>Integration</th>
                <th>Details</th>
              </tr>
            </thead>
            <tbody>
              {[...(node.audit?.entries ?? [])].reverse().map((entry) => (
                <tr key={entry.seq}>
                  <td>{entry.seq}</td>
                  <td>{new Date(entry.at).toLocaleString()}</td>
                  <td>{entry.actor}</td>
                  <td>{entry.action}</td>
                  <td>{entry.integrationId ?? ''}</td>
                  <td>
                    <code>{JSON.stringify(entry.details)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </article>
      ))}
    </section>
  );
}
