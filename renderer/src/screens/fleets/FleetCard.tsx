import type { FleetSummary } from '../../../../shared/contract/console.js';
import { Badge } from '../../components/Badge.js';
import { ConfirmButton } from '../../components/ConfirmButton.js';
import { ErrorText } from '../../components/ErrorText.js';
import { useCommandMutation } from '../../queries/console-queries.js';
import { useUncachedCommand } from '../../queries/uncached-command.js';
import { ConnectionTestResults } from './ConnectionTestResults.js';
import { clockWords, FLEET_STATE_TONES } from './health-words.js';
import { NodeHealthBadge } from './NodeHealthBadge.js';
import { ScopeBadge } from './ScopeBadge.js';

const TOKEN_WORDS: Record<FleetSummary['tokenStorage'], string> = {
  keychain: 'token in the OS keychain',
  session: 'token kept for this session only',
  missing: 'token missing — edit the fleet and enter it again',
};

/** The fleet in one line: how many nodes answer and whether it takes traffic ("2 of 2 nodes up, refusing traffic: Redis down"). */
function FleetHealthBadge({ fleet }: { fleet: FleetSummary }) {
  if (fleet.health) return <Badge tone={FLEET_STATE_TONES[fleet.health.state]}>{fleet.health.summary}</Badge>;
  const up = fleet.nodes.filter((node) => node.ok).length;
  return <Badge tone={up === fleet.nodes.length ? 'ok' : up === 0 ? 'bad' : 'warn'}>{`${up} of ${fleet.nodes.length} nodes up`}</Badge>;
}

/** One fleet: its health rolled up, each node's readiness, dependencies and clock, the token's scope; test, edit, remove. */
export function FleetCard({ fleet, onEdit }: { fleet: FleetSummary; onEdit: () => void }) {
  const test = useUncachedCommand('fleets.test');
  const remove = useCommandMutation('fleets.remove');
  return (
    <article className="card" aria-label={`Fleet ${fleet.name}`}>
      <header className="card-header">
        <h2>
          {fleet.name} <FleetHealthBadge fleet={fleet} />
        </h2>
        <div className="status-line">
          <ScopeBadge scope={fleet.scope} />
          <Badge tone={fleet.tokenStorage === 'missing' ? 'bad' : 'muted'}>{TOKEN_WORDS[fleet.tokenStorage]}</Badge>
        </div>
      </header>
      {fleet.problem && (
        <p role="alert" className="error">
          {fleet.problem}
        </p>
      )}
      <table aria-label={`Nodes of ${fleet.name}`}>
        <thead>
          <tr>
            <th>Node</th>
            <th>Health</th>
            <th>Node id</th>
            <th>Version</th>
            <th title="The node's clock minus this console's">Clock</th>
            <th>Problem</th>
          </tr>
        </thead>
        <tbody>
          {fleet.nodes.map((node) => (
            <tr key={node.url}>
              <td>
                <code>{node.url}</code>
              </td>
              <td>
                <NodeHealthBadge health={node.health} failure={node.failure} ok={node.ok} />
              </td>
              <td>{node.nodeId ?? '—'}</td>
              <td>{node.version ?? '—'}</td>
              <td className="numeric nowrap">{clockWords(node.health)}</td>
              <td className="error">{node.error ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="actions">
        <button type="button" className="secondary" disabled={test.pending || fleet.tokenStorage === 'missing'} onClick={() => void test.run({ id: fleet.id })}>
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
