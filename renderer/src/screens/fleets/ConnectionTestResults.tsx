import type { NodeTest } from '../../../../shared/contract/console.js';
import { Badge } from '../../components/Badge.js';

const TLS_WORDS: Record<NodeTest['tls'], string> = { ok: 'verified', failed: 'failed', 'plain-http': 'plain HTTP' };

/** One row per node: whether it answered, its TLS, whether it took the token, and its version. */
export function ConnectionTestResults({ nodes }: { nodes: readonly NodeTest[] }) {
  return (
    <table aria-label="Connection test">
      <thead>
        <tr>
          <th>Node</th>
          <th>Reachable</th>
          <th>TLS</th>
          <th>Token</th>
          <th>Version</th>
          <th>Problem</th>
        </tr>
      </thead>
      <tbody>
        {nodes.map((node) => (
          <tr key={node.url}>
            <td>
              <code>{node.url}</code>
            </td>
            <td>{node.reachable ? <Badge tone="ok">reachable</Badge> : <Badge tone="bad">unreachable</Badge>}</td>
            <td>
              <Badge tone={node.tls === 'ok' ? 'ok' : node.tls === 'failed' ? 'bad' : 'warn'}>{TLS_WORDS[node.tls]}</Badge>
            </td>
            <td>
              {node.tokenOk ? <Badge tone="ok">{`accepted${node.scope ? ` (${node.scope})` : ''}`}</Badge> : <Badge tone="bad">refused</Badge>}
            </td>
            <td>{node.version ?? '—'}</td>
            <td className="error">{node.error ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
