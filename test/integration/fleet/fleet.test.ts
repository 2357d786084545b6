import { createHash, randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js';
import { spawnReceiver, type ReceiverProcess } from '../../helpers/receiver-process.js';
import { newSecret, sampleBody, sign } from '../../helpers/signers.js';
import { post, tempDir } from '../../helpers/test-receiver.js';

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
    for (let index = 0; index < count; index++) {
      nodes.push(
        await spawnReceiver(
          tempDir(),
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
    return { keyPrefix, nodes: nodes.slice(-count) };
  }

  const deliver = async (node: ReceiverProcess) => post(`${node.ingressUrl}/hooks/pay`, await sign('stripe', { secret, body: sampleBody('stripe') }));

  it('answers a delivery accepted on node A and replayed to node B as a duplicate', async () => {
    const { nodes: [a, b] } = await startFleet(2);
    const delivery = await sign('stripe', { secret, body: sampleBody('stripe') });
    expect((await post(`${a!.ingressUrl}/hooks/pay`, delivery)).status).toBe(202);
    const replay = await post(`${b!.ingressUrl}/hooks/pay`, delivery);
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

  it('shares one rate limit across nodes', async () => {
    const { nodes: fleet } = await startFleet(2, { rateLimit: { perSecond: 1, burst: 6 } });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await deliver(fleet[i % 2]!)).status);
    expect(statuses.filter((status) => status === 202)).toHaveLength(6);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(5);
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
