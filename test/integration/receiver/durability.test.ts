import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteDeliveryQueries } from '../../../receiver/store/sqlite/delivery-queries.js';
import { spawnReceiver, type ReceiverProcess } from '../../helpers/receiver-process.js';
import { newSecret, sampleBody, sign } from '../../helpers/signers.js';
import { post, tempDir } from '../../helpers/test-receiver.js';
import { holdWriteLock } from '../../helpers/write-lock.js';

/** A real receiver process (the built bin) with a real SQLite file, killed the hard way. */
describe('durable accept-then-202', () => {
  const running: ReceiverProcess[] = [];
  afterEach(() => {
    for (const receiver of running.splice(0)) receiver.child.kill('SIGKILL');
  });

  const secret = newSecret('stripe');
  const config = {
    node: { id: 'durability' },
    ingress: { listen: '127.0.0.1:0' },
    storage: { path: './data', sync: 'full' },
    integrations: [{ id: 'pay', scheme: 'stripe', secrets: [{ id: 's1', value: 'env:TEST_STRIPE_SECRET' }] }],
  };

  /** The node started again on the same data, and the delivery sent the moment it listens. */
  async function restartAndSend(dir: string, delivery: Awaited<ReturnType<typeof sign>>) {
    const again = await spawnReceiver(dir, config, { TEST_STRIPE_SECRET: secret });
    running.push(again);
    return post(`${again.ingressUrl}/hooks/pay`, delivery);
  }

  it('loses none of a burst of 202s to kill -9, and a replay after restart is still a duplicate', async () => {
    const dir = tempDir();
    const first = await spawnReceiver(dir, config, { TEST_STRIPE_SECRET: secret });
    running.push(first);
    const deliveries = await Promise.all(Array.from({ length: 300 }, () => sign('stripe', { secret, body: sampleBody('stripe') })));
    const answers = await Promise.all(deliveries.map((delivery) => post(`${first.ingressUrl}/hooks/pay`, delivery)));
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');

    const accepted = answers.filter((answer) => answer.status === 202).map((answer) => answer.json.requestId);
    expect(accepted).toHaveLength(300);
    const db = new Database(join(dir, 'data', 'receiver.db'), { readonly: true });
    const stored = new Set(db.prepare('SELECT request_id FROM deliveries WHERE outbox = 1').pluck().all());
    db.close();
    expect(accepted.filter((id) => !stored.has(id))).toEqual([]);

    const replay = await restartAndSend(dir, deliveries[0]!);
    expect([replay.status, replay.json.status]).toEqual([200, 'duplicate']);
  });

  it('statistics neither lose nor double count deliveries around a kill -9, stored or not yet stored', async () => {
    const dir = tempDir();
    const outcomes = (): Record<string, number> => {
      const db = new Database(join(dir, 'data', 'receiver.db'), { readonly: true });
      const queries = new SqliteDeliveryQueries(db, 'durability', { now: Date.now, openCapture: () => { throw new Error('no captures read here'); }, replayCacheSize: () => 0 });
      const counts: Record<string, number> = {};
      for (const bucket of queries.stats({ since: new Date(Date.now() - 3_600_000).toISOString(), step: 3600 }).buckets) counts[bucket.outcome] = (counts[bucket.outcome] ?? 0) + bucket.count;
      const stored = db.prepare('SELECT coalesce(sum(count), 0) FROM stats_minute').pluck().get() as number;
      db.close();
      return { ...counts, stored };
    };
    const forger = newSecret('stripe');
    async function logged(at: string, outcome: string, count: number): Promise<void> {
      for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 50))) {
        const db = new Database(join(at, 'data', 'receiver.db'), { readonly: true });
        const rows = db.prepare('SELECT count(*) FROM deliveries WHERE outcome = ?').pluck().get(outcome) as number;
        db.close();
        if (rows >= count) return;
      }
      throw new Error(`fewer than ${count} ${outcome} deliveries logged within a minute`);
    }
    const send = async (node: ReceiverProcess, count: number, using: string): Promise<void> => {
      // In rounds, so that the deliveries span many commits.
      for (let sent = 0; sent < count; sent += 100) {
        const deliveries = await Promise.all(Array.from({ length: Math.min(100, count - sent) }, () => sign('stripe', { secret: using, body: sampleBody('stripe') })));
        await Promise.all(deliveries.map((delivery) => post(`${node.ingressUrl}/hooks/pay`, delivery)));
      }
    };
    const first = await spawnReceiver(dir, config, { TEST_STRIPE_SECRET: secret });
    running.push(first);
    // More than one flush's worth (1,024), so that part is stored and part is only in the log when the node dies.
    await send(first, 1_300, secret);
    await send(first, 40, forger);
    // A 401 is answered before its log row commits: wait for the rows, so the kill finds them logged.
    await logged(dir, 'rejected', 40);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const afterKill = outcomes();
    expect(afterKill).toMatchObject({ accepted: 1_300, rejected: 40 });
    expect(afterKill.stored).toBeGreaterThan(0);
    expect(afterKill.stored).toBeLessThan(1_340);

    const second = await spawnReceiver(dir, config, { TEST_STRIPE_SECRET: secret });
    running.push(second);
    await send(second, 900, secret);
    second.child.kill('SIGKILL');
    expect(await second.exited).toBe('SIGKILL');
    expect(outcomes()).toMatchObject({ accepted: 2_200, rejected: 40 });
  });

  it('after kill -9 with a log of 400,000 more keys, a replay sent the moment the node listens waits for the index and is a duplicate', async () => {
    const dir = tempDir();
    const first = await spawnReceiver(dir, config, { TEST_STRIPE_SECRET: secret });
    running.push(first);
    const delivery = await sign('stripe', { secret, body: sampleBody('stripe') });
    expect((await post(`${first.ingressUrl}/hooks/pay`, delivery)).status).toBe(202);
    first.child.kill('SIGKILL');
    await first.exited;
    // Older keys before it (under the negative seqs of migrated keys): its own key is among the last the index loads.
    const db = new Database(join(dir, 'data', 'receiver.db'));
    const until = Date.now() + 86_400_000;
    const expiry = Buffer.alloc(8);
    expiry.writeDoubleLE(until);
    db.prepare(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)
      INSERT INTO replay_log (seq, until, keys) SELECT -1000000000 + i, ?, randomblob(16) || ? || randomblob(16) || ? FROM n`).run(until, expiry, expiry);
    db.close();

    const replay = await restartAndSend(dir, delivery);
    expect([replay.status, replay.json.status]).toEqual([200, 'duplicate']);
  }, 60_000);

  it('with a replay index bound far below the burst, forgets none of the 202s of a burst cut by kill -9: after restart each is a duplicate, in memory or on disk', async () => {
    const dir = tempDir();
    // 400 keys in memory, 2 keys a delivery: most of the burst's keys are moved to disk while it runs.
    const small = { ...config, storage: { ...config.storage, dedupeIndexMaxKeys: 400 } };
    const first = await spawnReceiver(dir, small, { TEST_STRIPE_SECRET: secret });
    running.push(first);
    const deliveries = await Promise.all(Array.from({ length: 1_000 }, () => sign('stripe', { secret, body: sampleBody('stripe') })));
    const accepted: typeof deliveries = [];
    let killed = false;
    // A sender retries a 503 (the index full while its oldest keys are on their way to disk); the node dies mid-burst.
    const send = async (delivery: (typeof deliveries)[number]): Promise<void> => {
      while (!killed) {
        const answer = await post(`${first.ingressUrl}/hooks/pay`, delivery).catch(() => undefined);
        if (answer?.status === 202) accepted.push(delivery);
        if (answer?.status !== 503) return;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < deliveries.length && !killed) {
        await send(deliveries[next++]!);
        if (accepted.length >= 800 && !killed) {
          killed = true;
          first.child.kill('SIGKILL');
        }
      }
    }));
    await first.exited;
    expect(accepted.length).toBeGreaterThanOrEqual(800);
    const spill = new Database(join(dir, 'data', 'replay-spill.db'), { readonly: true });
    expect(spill.prepare('SELECT count(*) FROM spilled').pluck().get()).toBeGreaterThan(400);
    spill.close();

    const again = await spawnReceiver(dir, small, { TEST_STRIPE_SECRET: secret });
    running.push(again);
    const replays = [];
    for (const delivery of accepted) replays.push((await post(`${again.ingressUrl}/hooks/pay`, delivery)).json.status);
    expect(replays.filter((status) => status !== 'duplicate')).toEqual([]);
  }, 120_000);

  it('forgets a claim whose node died before storing it: after kill -9 the retry is accepted, never a duplicate', async () => {
    const dir = tempDir();
    const first = await spawnReceiver(dir, config, { TEST_STRIPE_SECRET: secret });
    running.push(first);
    const delivery = await sign('stripe', { secret, body: sampleBody('stripe') });
    // Holding SQLite's write lock keeps the node's commit waiting: its claim is taken, the delivery not yet durable.
    const release = holdWriteLock(join(dir, 'data', 'receiver.db'));
    // Sent twice at once: one claims and waits on its commit, the other meets the pending claim.
    const attempts = [0, 1].map(() => post(`${first.ingressUrl}/hooks/pay`, delivery).catch(() => undefined));
    const pending = await Promise.race(attempts.map((attempt) => attempt.then((answer) => answer ?? new Promise<never>(() => undefined))));
    expect([pending.status, pending.headers.get('retry-after')]).toEqual([503, '1']);
    first.child.kill('SIGKILL');
    await first.exited;
    // The one that claimed was never answered: nothing was acknowledged.
    expect((await Promise.all(attempts)).filter((answer) => answer === undefined)).toHaveLength(1);
    release();

    // Sent as soon as the node listens: the claim waits for the replay index, then is judged against all of it.
    const retry = await restartAndSend(dir, delivery);
    expect([retry.status, retry.json.status]).toEqual([202, 'accepted']);
  }, 30_000);

  it('on SIGTERM stops accepting, flushes and exits 0', async () => {
    const dir = tempDir();
    const receiver = await spawnReceiver(dir, config, { TEST_STRIPE_SECRET: secret });
    running.push(receiver);
    const answer = await post(`${receiver.ingressUrl}/hooks/pay`, await sign('stripe', { secret, body: sampleBody('stripe') }));
    expect(answer.status).toBe(202);
    receiver.child.kill('SIGTERM');
    expect(await receiver.exited).toBe(0);
    expect(receiver.output()).toContain('"msg":"stopped"');
    const db = new Database(join(dir, 'data', 'receiver.db'), { readonly: true });
    expect(db.prepare('SELECT count(*) FROM deliveries').pluck().get()).toBe(1);
    db.close();
  });
});
