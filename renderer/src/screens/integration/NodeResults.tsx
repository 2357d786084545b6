import type { NodeResult } from '../../../../shared/contract/console.js';
import { Badge } from '../../components/Badge.js';

/** Which nodes acknowledged a change: a partial failure is shown, never hidden. */
export function NodeResults({ nodes, label = 'Per-node acknowledgement' }: { nodes: readonly NodeResult[]; label?: string }) {
  const failed = nodes.filter((node) => !node.ok).length;
  return (
    <div className="node-results">
      <p>
        {failed === 0 ? (
          <Badge tone="ok">{`applied on all ${nodes.length} node${nodes.length === 1 ? '' : 's'}`}</Badge>
        ) : (
          <Badge tone="bad">{`failed on ${failed} of ${nodes.length} nodes — the fleet is out of step`}</Badge>
        )}
      </p>
      <ul aria-label={label}>
        {nodes.map((node) => (
          <li key={node.url} className={node.ok ? 'ok-text' : 'error'}>
            <code>{node.url}</code>: {node.ok ? 'applied' : `failed — ${node.error ?? 'no answer'}`}
          </li>
        ))}
      </ul>
    </div>
  );
}
