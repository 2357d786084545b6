import { createHash } from 'node:crypto';
import { startTestReceiver, type TestReceiver } from './test-receiver.js';

/**
 * In-process receiver nodes with an admin API on loopback that take `token` with admin scope and the payloads permission, each
 * with `integrations` and whatever else `config` adds (a downstream, say).
 */
export async function startAdminNodes(token: string, integrations: readonly Record<string, unknown>[], config: Record<string, unknown> = {}, count = 2): Promise<TestReceiver[]> {
  const nodes: TestReceiver[] = [];
  for (let i = 0; i < count; i++) {
    nodes.push(
      await startTestReceiver({
        node: { id: `node-${i}` },
        admin: { listen: '127.0.0.1:0', tokens: [{ name: 'console', sha256: createHash('sha256').update(token).digest('hex'), scope: 'admin', payloads: true }] },
        integrations,
        ...config,
      }),
    );
  }
  return nodes;
}
