import Database from 'better-sqlite3';
import type { Redis } from 'ioredis';
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeReplayKeys } from '../../../receiver/store/dedupe/local-replay-cache.js';
import { replayDigest } from '../../../receiver/store/dedupe/replay-digest.js';
import { reconcileRecentCommits } from '../../../receiver/store/redis/fleet-reconcile.js';
import type { RedisConnection } from '../../../receiver/store/redis/redis-connection.js';
import { replayRedisKey } from '../../../receiver/store/redis/redis-replay-cache.js';
import { migrate } from '../../../receiver/store/sqlite/schema.js';
import { newSecret, sampleBody, sign, type Delivery } from '../../helpers/signers.js';
import { startTestReceiver, tempDir, type TestReceiver } from '../../helpers/test-receiver.js';
import { eventually, useRedisServer } from './redis-fixture.js';

/**
 * A fleet node that committed a delivery locally and was killed before its claim was extended: the
 * state is made directly (commit on A, then put A's lease back in place of the committed value, as
 * if the extension never ran), so nothing here depends on when a kill lands.
 */
describe('a fleet node restarted after committing locally without extending its claim', () => {
  const redis = useRedisServer();
  const secret = newSecret('stripe');
  const started: TestReceiver[] = [];
  const dirs: string[] = [];

  afterEach(async () => {
    for (const node of started.splice(0)) await node.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  async function node(id: string, keyPrefix: string, dir: string): Promise<TestReceiver> {
    const receiver = await startTestReceiver(
      {
        node: { id },
        redis: { url: redis.server().url, keyPrefix },
        // The outbox is the queue: nothing drains it, so what this node still owes downstream stays visible.
        downstream: { type: 'outbox' },
        integrations: [{ id: 'pay', scheme: 'stripe', secrets: [{ id: 's1', value: secret }] }],
      },
      { dir },
    );
    started.push(receiver);
    return receiver;
  }

  /** A accepts `delivery`, then stops with Redis as a kill before the extension leaves it; `leftover` replaces each committed value. */
  async function acceptedThenKilled(keyPrefix: string, delivery: Delivery, leftover: 'lease' | 'lapsed') {
    const dirA = tempDir();
    dirs.push(dirA);
    const a = await node('node-a', keyPrefix, dirA);
    const answer = await a.post('/hooks/pay', delivery);
    expect(answer.status).toBe(202);
    await a.logged(answer.json.requestId);
    const keys = await redis.raw().keys(`${keyPrefix}:replay:*`);
    expect(keys.length).toBeGreaterThan(0);
    // The claim is extended just after the 202.
    for (const key of keys) await eventually(() => redis.raw().get(key), (value) => value === `c:node-a:${answer.json.requestId}`);
    await a.close();
    started.splice(started.indexOf(a), 1);
    for (const key of keys) {
      if (leftover === 'lease') await redis.raw().set(key, 'p:node-a:never-extended', 'PX', 600_000);
      else await redis.raw().del(key);
    }
    return { dirA, requestId: answer.json.requestId };
  }

  const row = (receiver: TestReceiver, requestId: string | undefined) =>
    receiver.db().prepare('SELECT outcome, reason, outbox FROM deliveries WHERE request_id = ?').get(requestId) as { outcome: string; reason: string | null; outbox: number | null };

  it('takes its leftover lease over at restart, so the retry to another node is a duplicate', async () => {
    const keyPrefix = redis.prefix();
    const delivery = await sign('stripe', { secret, body: sampleBody('stripe') });
    const { dirA, requestId } = await acceptedThenKilled(keyPrefix, delivery, 'lease');
    const b = await node('node-b', keyPrefix, dirs[dirs.push(tempDir()) - 1]!);
    // Before A is back, its leftover lease only makes the retry wait.
    expect((await b.post('/hooks/pay', delivery)).status).toBe(503);

    const a = await node('node-a', keyPrefix, dirA);
    const retry = await b.post('/hooks/pay', delivery);
    expect(retry.status).toBe(200);
    expect(retry.json.status).toBe('duplicate');
    // A still has it, owes it downstream, and its keys now say so for the rest of their window.
    expect(row(a, requestId)).toEqual({ outcome: 'accepted', reason: null, outbox: 1 });
    for (const key of await redis.raw().keys(`${keyPrefix}:replay:*`)) {
      expect(await redis.raw().get(key)).toBe(`c:node-a:${requestId}`);
      expect(await redis.raw().pttl(key)).toBeGreaterThan(60_000);
    }
  });

  it('marks its copy superseded at restart when another node accepted the retry while it was down', async () => {
    const keyPrefix = redis.prefix();
    const delivery = await sign('stripe', { secret, body: sampleBody('stripe') });
    const { dirA, requestId } = await acceptedThenKilled(keyPrefix, delivery, 'lapsed');
    const b = await node('node-b', keyPrefix, dirs[dirs.push(tempDir()) - 1]!);
    const onB = await b.post('/hooks/pay', delivery);
    expect(onB.status).toBe(202);
    await b.logged(onB.json.requestId);

    const a = await node('node-a', keyPrefix, dirA);
    expect(row(a, requestId)).toEqual({ outcome: 'duplicate', reason: 'superseded', outbox: null });
    expect(row(b, onB.json.requestId)).toEqual({ outcome: 'accepted', reason: null, outbox: 1 });
    // B's claim is left as it was, and the delivery counts once as accepted across the fleet.
    for (const key of await redis.raw().keys(`${keyPrefix}:replay:*`)) expect(await redis.raw().get(key)).toBe(`c:node-b:${onB.json.requestId}`);
    const stats = a.db().prepare("SELECT outcome, reason, sum(count) AS count FROM stats_minute_live GROUP BY outcome, reason HAVING count > 0").all();
    expect(stats).toEqual([{ outcome: 'duplicate', reason: 'superseded', count: 1 }]);

    // A second restart finds nothing more to do.
    await a.close();
    started.splice(started.indexOf(a), 1);
    const again = await node('node-a', keyPrefix, dirA);
    expect(row(again, requestId)).toEqual({ outcome: 'duplicate', reason: 'superseded', outbox: null });
    expect((await b.post('/hooks/pay', delivery)).status).toBe(200);
  });

  it('waits on another node\'s lease until that node settles it, then yields to its commit', async () => {
    const keyPrefix = redis.prefix();
    const now = Date.now();
    const db = new Database(':memory:');
    migrate(db);
    db.prepare(`INSERT INTO deliveries (seq, request_id, integration_id, received_at, source_ip, method, path, headers, body_size, status, outcome, latency_us, outbox)
      VALUES (1, 'req-a', 'pay', ?, '127.0.0.1', 'POST', '/hooks/pay', '{}', 2, 202, 'accepted', 1, 1)`).run(now);
    const key = { kind: 'id' as const, digest: replayDigest('pay', 'id', 'evt_1'), expiresAt: now + 600_000 };
    db.prepare('INSERT INTO replay_log (seq, until, keys) VALUES (1, ?, ?)').run(key.expiresAt, encodeReplayKeys([key]));
    const redisKey = replayRedisKey(keyPrefix, key.digest);
    // Node B is storing the sender's retry right now: its lease outlasts the test, so only B's commit can end the wait.
    await redis.raw().set(redisKey, 'p:node-b:storing', 'PX', 600_000);
    const superseded: number[][] = [];
    const connection = await redis.connect();
    let asked = 0;
    const counting: RedisConnection = Object.assign(Object.create(connection) as RedisConnection, {
      run: <T>(operation: (client: Redis) => Promise<T>) => {
        asked++;
        return connection.run(operation);
      },
    });
    const reconciling = reconcileRecentCommits({
      db,
      connection: counting,
      keyPrefix,
      nodeId: 'node-a',
      leaseMs: 600_000,
      now: Date.now,
      supersede: (seqs) => {
        superseded.push([...seqs]);
        return Promise.resolve(seqs.length);
      },
    });
    // Asked a second time: it met B's lease and is waiting for B to settle it.
    await eventually(() => asked, (count) => count >= 2, 10_000);
    await redis.raw().set(redisKey, 'c:node-b:req-b', 'PX', 600_000);
    expect(await reconciling).toEqual({ checked: 1, superseded: 1, unsettled: 0 });
    expect(superseded).toEqual([[1]]);
    expect(await redis.raw().get(redisKey)).toBe('c:node-b:req-b');
    db.close();
  });
});
