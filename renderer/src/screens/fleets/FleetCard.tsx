import type { FleetSummary } from '../../../../shared/contract/console.js';
import { Badge } from '../../components/Badge.js';
import { ConfirmButton } from '../../components/ConfirmButton.js';
import { ErrorText } from '../../components/ErrorText.js';
import { useCommandMutation } from '../../queries/console-queries.js';
import { useUncachedCommand } from '../../queries/uncached-command.js';
import { ConnectionTestResults } from './ConnectionTestResults.js';

const TOKEN_WORDS: Record<FleetSummary['tokenStorage'], string> = {
  keychain: 'token in the OS keychain',
  session: 'token kept for this session only',
  missing: 'token missing — edit the fleet and enter it again',
};

/** One fleet: the health of each node, and test, edit, remove. */
export function FleetCard({ fleet, onEdit }: { fleet: FleetSummary; onEdit: () => void }) {
  const test = useUncachedCommand('fleets.test');
  const remove = useCommandMutation('fleets.remove');
  const healthy = fleet.nodes.filter((node) => node.ok).length;
  return (
    <article className="card" aria-label={`Fleet ${fleet.name}`}>
      <header className="card-header">
        <h2>
          {fleet.name}{' '}
          <Badge tone={healthy === fleet.nodes.length ? 'ok' : healthy === 0 ? 'bad' : 'warn'}>{`${healthy} of ${fleet.nodes.length} nodes healthy`}</Badge>
        </h2>
        <Badge tone={fleet.tokenStorage === 'missing' ? 'bad' : 'muted'}>{TOKEN_WORDS[fleet.tokenStorage]}</Badge>
      </header>
      <table>
        <thead>
          <tr>
            <th>Node</th>
            <th>Health</th>
            <th>Node id</th>
            <th>Version</th>
            <th>Problem</th>
          </tr>
        </thead>
        <tbody>
          {fleet.nodes.map((node) => (
            <tr key={node.url}>
              <td>
                <code>{node.url}</code>
              </td>
              <td>{node.ok ? <Badge tone="ok">healthy</Badge> : <Badge tone="bad">unreachable</Badge>}</td>
              <td>{node.nodeId ?? '—'}</td>
              <td>{node.version ?? '—'}</td>
              <td className="error">{node.error ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="actions">
        <button type="button" className="secondary" disabled={test.pending} onClick={() => void test.run({ id: fleet.id })}>
          {test.pending ? 'Testing…' : 'Test connection'}
        </button>
        <button type="button" className="secondary" onClick={onEdit}>
          Edit
        </button>
        <ConfirmButton
          label="Remove…"
          question={`Remove “${fleet.name}” and its keychain entry? The nodes keep running.`}
          confirmLabel="Remove"
          danger
          className="secondary"
          onConfirm={() => remove.mutate({ id: fleet.id })}
        />
      </div>
      <ErrorText error={test.error ?? remove.error} />
      {test.result && <ConnectionTestResults nodes={test.result.nodes} />}
    </article>
  );
}
