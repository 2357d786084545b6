import type { IntegrationEntry } from '../../../../shared/contract/console.js';
import { Badge } from '../../components/Badge.js';
import { ErrorText } from '../../components/ErrorText.js';
import { useCommandMutation } from '../../queries/console-queries.js';
import { nodeVerdicts, verdictSummary, type KillSwitchOutcome, type NodeVerdict } from './kill-switch-state.js';

const HELD_WORDS = { release: 'released downstream', discard: 'discarded' } as const;

/** Each node's part in the last kill or release, as it stands now, with a retry for each node that still lacks it. */
export function KillSwitchResults({ integration, outcome, onRetried }: { integration: IntegrationEntry; outcome: KillSwitchOutcome; onRetried: (outcome: KillSwitchOutcome) => void }) {
  const kill = useCommandMutation('integrations.kill');
  const resume = useCommandMutation('integrations.resume');
  const verdicts = nodeVerdicts(outcome, integration);
  const summary = verdictSummary(verdicts, integration);
  const label = outcome.change.kind === 'kill' ? 'Kill switch per node' : 'Release per node';
  const retry = async (url: string) => {
    const target = { fleetId: integration.fleetId, integrationId: integration.id, nodeUrls: [url] };
    const { change } = outcome;
    const answer = change.kind === 'kill' ? await kill.mutateAsync({ ...target, mode: change.mode, reason: change.reason }) : await resume.mutateAsync({ ...target, reason: change.reason, held: change.held });
    const [result] = answer.nodes;
    if (result) onRetried({ ...outcome, nodes: outcome.nodes.map((node) => (node.url === url ? result : node)) });
  };
  return (
    <div className="node-results">
      <p>
        <Badge tone={summary.tone}>{summary.text}</Badge>
      </p>
      {outcome.held && (
        <p role="status">
          <Badge tone="ok">{`${outcome.held.count} held ${outcome.held.count === 1 ? 'delivery' : 'deliveries'} ${HELD_WORDS[outcome.held.disposition]}`}</Badge>
        </p>
      )}
      <ul aria-label={label}>
        {verdicts.map((verdict) => (
          <li key={verdict.url} className={verdict.state === 'failed' ? 'error' : verdict.state === 'refused-by-scope' ? 'warn-text' : 'ok-text'}>
            <code>{verdict.url}</code>: <VerdictWords verdict={verdict} />
            {verdict.state === 'failed' && (
              <>
                {' '}
                <button type="button" className="secondary" disabled={kill.isPending || resume.isPending} onClick={() => void retry(verdict.url).catch(() => undefined)}>
                  Retry on this node
                </button>
              </>
            )}
          </li>
        ))}
      </ul>
      <ErrorText error={kill.error ?? resume.error} />
    </div>
  );
}

function VerdictWords({ verdict }: { verdict: NodeVerdict }) {
  switch (verdict.state) {
    case 'applied':
      return <>applied</>;
    case 'applied-since':
      return <>applied since — it did not answer then, and shows the change now (taken from the shared state)</>;
    case 'refused-by-scope':
      return <>{`refused by the token's scope, nothing changed — ${verdict.error}`}</>;
    case 'failed':
      return <>{`failed — ${verdict.error}`}</>;
  }
}
