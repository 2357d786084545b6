import type { NodeResult } from '../../../../shared/contract/console.js';

/** Which nodes acknowledged a change: a partial failure is shown, never hidden. */
export function NodeResults({ nodes }: { nodes: readonly NodeResult[] }) {
  return (
    <ul className="node-results" aria-label="Per-node acknowledgement">
      {nodes.map((node) => (
        <li key={node.url} className={node.ok ? 'ok-text' : 'error'}>
          {node.url}: {node.ok ? 'applied' : `failed — ${node.error ?? 'no answer'}`}
        </li>
      ))}
    </ul>
  );
}
