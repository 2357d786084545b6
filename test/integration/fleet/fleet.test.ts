import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js';
import { spawnReceiver, type ReceiverProcess } from '../../helpers/receiver-process.js';
import { newSecret, sampleBody, sign } from '../../helpers/signers.js';
import { post, tempDir } from '../../helpers/test-receiver.js';
import { holdWriteLock } from '../../helpers/write-lock.js';

/** Two and three real receiver processes sharing one real redis-server. */
describe('a fleet of receivers on Redis', () => {
  let redis: RedisServer;
  const nodes: ReceiverProcess[] = [];
  const secret = newSecret('stripe');
  const token = randomBytes(24).toString('base64url');
  const masterKey = randomBytes(32).toString('hex');

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis.stop();
  });
  afterEach(async () => {
    for (const node of nodes.splice(0)) {
      node.child.kill('SIGKILL');
      await node.exited;
    }
  });

  async function startFleet(count: number, integration: Record<string, unknown> = {}) {
    const keyPrefix = `t${randomBytes(4).toString('hex')}`;
    const dirs = Array.from({ length: count }, () => tempDir());
    for (let index = 0; index < count; index++) {
      nodes.push(
        await spawnReceiver(
          dirs[index]!,
          {
            node: { id: `node-${index}` },
            ingress: { listen: '127.0.0.1:0' },
            admin: { listen: '127.0.0.1:0', tokens: [{ name: 'console', sha256: createHash('sha256').update(token).digest('hex'), scope: 'admin', payloads: true }] },
            storage: { path: './data', sync: 'normal' },
            redis: { url: redis.url, keyPrefix },
            integrations: [{ id: 'pay', scheme: 'stripe', secrets: [{ id: 's1', value: secret }], ...integration }],
          },
          { HOOKWARDEN_MASTER_KEY: masterKey },
        ),
      );
    }
    return { keyPrefix, dirs, nodes: nodes.slice(-count) };
  }

  const deliver = async (node: ReceiverProcess) => post(`${node.ingressUrl}/hooks/pay`, await sign('stripe', { secret, body: sampleBody('stripe') }));

  it('answers a delivery accepted on node A and replayed to node B as a duplicate', async () => {
    const { nodes: [a, b] } = await startFleet(2);
    const delivery = await sign('stripe', { secret, body: sampleBody('stripe') });
    expect((await post(`${a!.ingressUrl}/hooks/pay`, delivery)).status).toBe(202);
    // A answers once its copy is durable and extends its claim right after: a replay that comes first
    // meets A's lease and is told 503 + Retry-After, as a sender would be, and then the duplicate.
    let replay = await post(`${b!.ingressUrl}/hooks/pay`, delivery);
    for (const started = Date.now(); replay.status === 503 && Date.now() - started < 10_000; ) {
      expect([replay.json.status, replay.headers.get('retry-after')]).toEqual(['rejected', '1']);
      await new Promise((resolve) => setTimeout(resolve, 50));
      replay = await post(`${b!.ingressUrl}/hooks/pay`, delivery);
    }
    expect([replay.status, replay.json.status]).toEqual([200, 'duplicate']);
  });

  it('enforces a kill switch engaged through node A on nodes B and C within one second', async () => {
    const { nodes: [a, b, c] } = await startFleet(3);
    const engaged = await fetch(`${a!.adminUrl}/admin/v1/integrations/pay/kill`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'reject', reason: 'fleet test' }),
    });
    expect(engaged.status).toBe(200);
    const since = Date.now();
    for (const node of [b!, c!]) {
      let status = 0;
      while (Date.now() - since < 1000 && status !== 503) status = (await deliver(node)).status;
      expect(status).toBe(503);
    }
    expect(Date.now() - since).toBeLessThan(1000);
  });

  it('lets a claim die with a node killed between claim and commit: the retry on the other node is 503, then accepted, never 200', async () => {
    const { keyPrefix, dirs, nodes: [a, b] } = await startFleet(2);
    const delivery = await sign('stripe', { secret, body: sampleBody('stripe') });
    // Node A's commit waits on SQLite's write lock, held here: A has claimed in Redis but stored nothing.
    const release = holdWriteLock(join(dirs[0]!, 'data', 'receiver.db'));
    const unanswered = post(`${a!.ingressUrl}/hooks/pay`, delivery).catch(() => undefined);
    const client = new Redis(redis.url);
    try {
      while ((await client.keys(`${keyPrefix}:replay:*`)).length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      client.disconnect();
    }
    const onB = await post(`${b!.ingressUrl}/hooks/pay`, delivery);
    expect([onB.status, onB.headers.get('retry-after')]).toEqual([503, '1']);
    a!.child.kill('SIGKILL');
    await a!.exited;
    expect(await unanswered).toBeUndefined();
    release();
    // The sender retries on B until A's lease has run out (seconds): never a 200 for what no node stored.
    let retry = await post(`${b!.ingressUrl}/hooks/pay`, delivery);
    for (const started = Date.now(); retry.status === 503 && Date.now() - started < 30_000; ) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      retry = await post(`${b!.ingressUrl}/hooks/pay`, delivery);
    }
    expect([retry.status, retry.json.status]).toEqual([202, 'accepted']);
  }, 60_000);

  it('shares one rate limit across nodes', async () => {
    const { nodes: fleet } = await startFleet(2, { rateLimit: { perSecond: 1, burst: 6 } });
    // Redis refills the bucket by its own clock (1 token a second): however slow the machine, no more than
    // the burst plus a token per elapsed second gets through, and the rest are 429.
    const started = Date.now();
    const statuses = (await Promise.all(Array.from({ length: 12 }, (_, i) => deliver(fleet[i % 2]!)))).map((answer) => answer.status);
    const refilled = Math.ceil((Date.now() - started) / 1000);
    const accepted = statuses.filter((status) => status === 202).length;
    expect(accepted).toBeGreaterThanOrEqual(6);
    expect(accepted).toBeLessThanOrEqual(6 + refilled);
    expect(statuses.filter((status) => status === 429)).toHaveLength(12 - accepted);
  });

  it('loses no acknowledged delivery and accepts none twice when Redis dies in the middle of traffic', async () => {
    const { keyPrefix, nodes: [a, b] } = await startFleet(2);
    const sent = await Promise.all(Array.from({ length: 120 }, () => sign('stripe', { secret, body: sampleBody('stripe') })));
    const acknowledged = new Set<string>();
    const answers: number[] = [];
    const send = async (index: number) => {
      const answer = await post(`${[a!, b!][index % 2]!.ingressUrl}/hooks/pay`, sent[index]!);
      answers.push(answer.status);
      if (answer.status === 202) acknowledged.add(JSON.parse(sent[index]!.body).id as string);
    };
    for (let index = 0; index < 40; index++) await send(index);
    await redis.kill();
    for (let index = 40; index < 80; index++) await send(index);
    await redis.restart();
    // Every sender retries what was refused: all 120 go again, to the other node this time.
    for (let round = 0; round < 2; round++) {
      for (let index = 0; index < 120; index++) {
        const answer = await post(`${[b!, a!][index % 2]!.ingressUrl}/hooks/pay`, sent[index]!);
        if (answer.status === 202) acknowledged.add(JSON.parse(sent[index]!.body).id as string);
        if (round === 1) expect([200, 202]).toContain(answer.status);
      }
    }
    expect(answers.filter((status) => status === 503).length).toBeGreaterThan(0);
    expect(answers.filter((status) => status !== 202 && status !== 503)).toEqual([]);

    const client = new Redis(redis.url);
    try {
      const deadline = Date.now() + 10_000;
      let ids: string[] = [];
      while (Date.now() < deadline) {
        const entries = await client.xrange(`${keyPrefix}:stream:pay`, '-', '+');
        ids = entries.map(([, fields]) => JSON.parse(fields[fields.indexOf('body') + 1]!).id as string);
        if (ids.length >= acknowledged.size) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(new Set(ids).size).toBe(ids.length);
      expect([...acknowledged].filter((id) => !ids.includes(id))).toEqual([]);
      expect(acknowledged.size).toBe(120);
    } finally {
      client.disconnect();
    }
  }, 60_000);
});
