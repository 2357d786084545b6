import { useState } from 'react';
import { ErrorText } from '../../components/ErrorText.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { useCommandMutation, useCommandQuery } from '../../queries/console-queries.js';
import { FleetForm, type FleetToEdit } from './FleetForm.js';

/** Connected fleets with the health of every node; the first-run state explains what to do. */
export function FleetsScreen({ onOpenLocal }: { onOpenLocal: () => void }) {
  const fleets = useCommandQuery('fleets.list', {});
  const remove = useCommandMutation('fleets.remove', ['fleets.list', 'integrations.list']);
  const test = useCommandMutation('fleets.test', []);
  const startLocal = useCommandMutation('localReceiver.start', ['localReceiver.status', 'integrations.list']);
  const [adding, setAdding] = useState(false);
  const [confirming, setConfirming] = useState<string | undefined>();
  const [editing, setEditing] = useState<FleetToEdit | undefined>();

  if (fleets.isPending) return <p>Loading fleets…</p>;
  const list = fleets.data ?? [];

  return (
    <section aria-labelledby="fleets-title">
      <header className="screen-header">
        <h1 id="fleets-title">Fleets</h1>
        {!adding && <button onClick={() => setAdding(true)}>Add a fleet</button>}
      </header>
      <ErrorText error={fleets.error ?? remove.error} />
      {adding && <FleetForm onDone={() => setAdding(false)} />}
      {editing && <FleetForm key={editing.id} editing={editing} onDone={() => setEditing(undefined)} />}
      {list.length === 0 && !adding && (
        <div className="card first-run">
          <h2>No fleet connected yet</h2>
          <p>
            Hookwarden watches verifying webhook receivers: every endpoint, live deliveries, signature failures, secret rotations and kill
            switches. Connect a fleet with the admin API URL of each receiver node and an admin token, or try everything on this machine
            first with the built-in local receiver.
          </p>
          <div className="actions">
            <button onClick={() => setAdding(true)}>Add a fleet</button>
            <button className="secondary" onClick={() => startLocal.mutate({}, { onSuccess: onOpenLocal })}>
              Start the built-in local receiver
            </button>
          </div>
        </div>
      )}
      {list.map((fleet) => (
        <article key={fleet.id} className="card" aria-label={`Fleet ${fleet.name}`}>
          <header className="card-header">
            <h2>{fleet.name}</h2>
            <span className="muted">token: {fleet.tokenStorage === 'missing' ? 'missing — edit the fleet and enter it again' : fleet.tokenStorage}</span>
          </header>
          <table>
            <thead>
              <tr>
                <th>Node</th>
                <th>Health</th>
                <th>Version</th>
                <th>Problem</th>
              </tr>
            </thead>
            <tbody>
              {fleet.nodes.map((node) => (
                <tr key={node.url}>
                  <td>{node.url}</td>
                  <td>
                    <StatusBadge status={node.ok ? 'live' : 'rejected'} />
                  </td>
                  <td>{node.version ?? '—'}</td>
                  <td>{node.error ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="actions">
            <button className="secondary" onClick={() => test.mutate({ id: fleet.id })}>
              Test connection
            </button>
            <button className="secondary" onClick={() => setEditing({ id: fleet.id, name: fleet.name, urls: fleet.nodes.map((node) => node.url) })}>
              Edit
            </button>
            {confirming === fleet.id ? (
              <>
                <span>Remove “{fleet.name}” and its keychain entries?</span>
                <button className="danger" onClick={() => remove.mutate({ id: fleet.id }, { onSettled: () => setConfirming(undefined) })}>
                  Remove
                </button>
                <button className="secondary" onClick={() => setConfirming(undefined)}>
                  Keep
                </button>
              </>
            ) : (
              <button className="secondary" onClick={() => setConfirming(fleet.id)}>
                Remove…
              </button>
            )}
          </div>
          {test.data && test.variables && 'id' in test.variables && test.variables.id === fleet.id && (
            <ul className="test-results" aria-label="Connection test">
              {test.data.nodes.map((node) => (
                <li key={node.url}>
                  {node.url}: {node.reachable ? 'reachable' : 'unreachable'}, TLS {node.tls}, token {node.tokenOk ? 'accepted' : 'refused'}
                  {node.version ? `, version ${node.version}` : ''}
                  {node.error ? ` — ${node.error}` : ''}
                </li>
              ))}
            </ul>
          )}
        </article>
      ))}
    </section>
  );
}
