import type { NodeTest } from '../../../../shared/contract/console.js';
import { Badge } from '../../components/Badge.js';
import { FAILURE_WORDS } from './health-words.js';
import { NodeHealthBadge } from './NodeHealthBadge.js';

const TLS_WORDS: Record<NodeTest['tls'], string> = { ok: 'verified', failed: 'failed', 'plain-http': 'plain HTTP' };

/** One row per node: whether it answered, its TLS, whether it took the token and with which scope, its health, and what failed. */
export function ConnectionTestResults({ nodes }: { nodes: readonly NodeTest[] }) {
  return (
    <table aria-label="Connection test">
      <thead>
        <tr>
          <th>Node</th>
          <th>Reachable</th>
          <th>TLS</th>
          <th>Token</th>
          <th>Health</th>
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
              {node.tokenOk ? (
                <Badge tone={node.failure === 'scope' ? 'warn' : 'ok'}>{`accepted (${node.scope ? `scope ${node.scope}` : 'scope unknown'})`}</Badge>
              ) : node.failure === 'token_refused' ? (
                <Badge tone="bad">refused</Badge>
              ) : (
                <Badge tone="muted">not tried</Badge>
              )}
            </td>
            <td>{node.health || node.failure ? <NodeHealthBadge health={node.health} failure={node.failure} /> : '—'}</td>
            <td>{node.version ?? '—'}</td>
            <td className="error">
              {node.failure && <strong>{`${FAILURE_WORDS[node.failure]}: `}</strong>}
              {node.error ?? ''}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Whether a test found a problem that saving would keep: any node it could not use. */
export const testFailed = (nodes: readonly NodeTest[]): boolean => nodes.some((node) => node.failure !== undefined);
