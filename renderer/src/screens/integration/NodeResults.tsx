import type { NodeResult } from '../../../../shared/contract/console.js';
import { Badge } from '../../components/Badge.js';

/** A node that refused the change for the token's scope changed nothing: that is not the fleet drifting apart. */
const refusedByScope = (node: NodeResult): boolean => !node.ok && node.code === 'scope_insufficient';

/** Which nodes acknowledged a change: a partial failure is shown, never hidden, and a scope refusal is named as one. */
export function NodeResults({ nodes, label = 'Per-node acknowledgement' }: { nodes: readonly NodeResult[]; label?: string }) {
  return (
    <div className="node-results">
      <p>
        <NodeResultsHeadline nodes={nodes} />
      </p>
      <ul aria-label={label}>
        {nodes.map((node) => (
          <li key={node.url} className={node.ok ? 'ok-text' : refusedByScope(node) ? 'warn-text' : 'error'}>
            <code>{node.url}</code>: {node.ok ? 'applied' : refusedByScope(node) ? `refused by the token's scope, nothing changed — ${node.error ?? 'forbidden'}` : `failed — ${node.error ?? 'no answer'}`}
          </li>
        ))}
      </ul>
    </div>
  );
}

function NodeResultsHeadline({ nodes }: { nodes: readonly NodeResult[] }) {
  const total = nodes.length;
  const refused = nodes.filter(refusedByScope).length;
  const failed = nodes.filter((node) => !node.ok).length - refused;
  const applied = total - failed - refused;
  if (failed === 0 && refused === 0) return <Badge tone="ok">{`applied on all ${total} node${total === 1 ? '' : 's'}`}</Badge>;
  // Out of step only when some nodes took the change and others did not.
  const outOfStep = applied > 0 ? ' — the fleet is out of step' : '';
  if (failed === 0) return <Badge tone="warn">{`refused by the token's scope on ${refused} of ${total} nodes${outOfStep}: connect the fleet with an admin token`}</Badge>;
  return <Badge tone="bad">{`failed on ${failed} of ${total} nodes${refused > 0 ? `, refused by the token's scope on ${refused}` : ''}${outOfStep}`}</Badge>;
}
