import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newSecret, sign } from '../../helpers/signers.js';
import { startTestReceiver, tempDir, type TestReceiver } from '../../helpers/test-receiver.js';
import { eventually, useRedisServer } from './redis-fixture.js';

/**
 * A fleet node's dispatcher on its way to the Redis Stream: deliveries go out from memory right
 * after their commit, and leave the outbox together a little later. What reaches the stream must be
 * exactly what the node stored, and a node stopped before recording must not append anything twice.
 */
describe('the fleet dispatcher to a real Redis Stream', () => {
  const redis = useRedisServer();
  const secret = newSecret('stripe');
  /** The node running now, and its folder, which outlives it for the restart. */
  let running: TestReceiver | undefined;
  const dir = tempDir();

  afterEach(async () => {
    await running?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function node(keyPrefix: string): Promise<TestReceiver> {
    running = await startTestReceiver(
      {
        node: { id: 'node-a' },
        redis: { url: redis.server().url, keyPrefix },
        integrations: [
          { id: 'pay', scheme: 'stripe', secrets: [{ id: 's1', value: secret }] },
          { id: 'shop', scheme: 'stripe', secrets: [{ id: 's1', value: secret }], capture: { redact: ['/data/email'] } },
        ],
      },
      { dir },
    );
    return running;
  }

  const streamed = async (keyPrefix: string, integration: string) =>
    (await redis.raw().xrangeBuffer(`${keyPrefix}:stream:${integration}`, '-', '+')).map(([, fields]) => {
      const field = (name: string) => fields[fields.findIndex((value, index) => index % 2 === 0 && value.toString() === name) + 1];
      return { requestId: String(field('requestId')), query: String(field('query')), headers: JSON.parse(String(field('headers'))) as unknown, body: field('body') };
    });
  const outboxRows = (receiver: TestReceiver) => receiver.db().prepare('SELECT count(*) FROM deliveries WHERE outbox IS NOT NULL').pluck().get() as number;

  it('streams each delivery as stored (redactions applied), in order, and empties the outbox; a restart after lost bookkeeping appends nothing twice', async () => {
    const keyPrefix = redis.prefix();
    const a = await node(keyPrefix);
    const requestIds: Record<string, string[]> = { pay: [], shop: [] };
    for (let i = 0; i < 30; i++) {
      const integration = i % 3 === 0 ? 'shop' : 'pay';
      const body = JSON.stringify({ id: `evt_${i}`, data: { email: `c${i}@example.com`, amount: i } });
      const answer = await a.post(`/hooks/${integration}`, await sign('stripe', { secret, body }));
      expect(answer.status).toBe(202);
      requestIds[integration]?.push(answer.json.requestId ?? '');
    }
    for (const integration of ['pay', 'shop']) {
      const entries = await eventually(() => streamed(keyPrefix, integration), (found) => found.length === requestIds[integration]?.length, 15_000);
      expect(entries.map((entry) => entry.requestId)).toEqual(requestIds[integration]);
      for (const entry of entries) {
        const stored = a.capture(entry.requestId);
        expect(stored).toBeDefined();
        expect({ query: entry.query, headers: entry.headers, body: entry.body }).toEqual(stored);
        expect(entry.body?.toString().includes('@example.com')).toBe(integration === 'pay');
      }
    }
    await eventually(() => outboxRows(a), (count) => count === 0, 15_000);
    expect(a.engine.queries.node().downstream?.backlog).toBe(0);

    // As if the node had died after the stream took them but before it recorded that: all back in the outbox.
    await a.close();
    running = undefined;
    const file = new Database(join(dir, 'data', 'receiver.db'));
    file.prepare("UPDATE deliveries SET outbox = 1 WHERE outcome = 'accepted'").run();
    file.close();
    const again = await node(keyPrefix);
    await eventually(() => outboxRows(again), (count) => count === 0, 15_000);
    expect((await streamed(keyPrefix, 'pay')).map((entry) => entry.requestId)).toEqual(requestIds.pay);
    expect((await streamed(keyPrefix, 'shop')).map((entry) => entry.requestId)).toEqual(requestIds.shop);
  }, 60_000);
});
