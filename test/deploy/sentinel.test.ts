import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisProcess, type RedisProcess } from '../helpers/redis-process.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { spawnReceiver, type ReceiverProcess } from '../helpers/receiver-process.js';
import { TEST_HMAC_OPTIONS, newSecret, sign, type Delivery } from '../helpers/signers.js';
import { post } from '../helpers/test-receiver.js';
import { eventually } from '../integration/redis/redis-fixture.js';

const SENTINEL = '/usr/bin/redis-sentinel';
const PRIMARY_NAME = 'hookwarden-primary';
const KEY_PREFIX = 'hwsentinel';
/** The whole failover scenario is bounded: it stops sending after this, whatever happened. */
const TRAFFIC_LIMIT_MS = 45_000;

describe.skipIf(!existsSync(SENTINEL))('fleet mode through Redis Sentinel', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookwarden-sentinel-'));
  const secret = newSecret('hmac');
  let primary: RedisServer;
  let replica: RedisServer;
  const sentinels: RedisProcess[] = [];
  const nodes: ReceiverProcess[] = [];

  const startSentinel = (index: number): Promise<RedisProcess> => {
    const home = join(dir, `sentinel-${index}`);
    mkdirSync(home);
    const conf = join(home, 'sentinel.conf');
    return startRedisProcess({
      binary: SENTINEL,
      args: (port) => {
        // Sentinel rewrites its config file with what it learns, so each has its own. Its log goes to
        // stdout, where the helper keeps the tail for failure messages.
        writeFileSync(
          conf,
          [
            `port ${port}`,
            'bind 127.0.0.1',
            `dir ${home}`,
            `sentinel monitor ${PRIMARY_NAME} 127.0.0.1 ${primary.port} 2`,
            `sentinel down-after-milliseconds ${PRIMARY_NAME} 1000`,
            `sentinel failover-timeout ${PRIMARY_NAME} 10000`,
            `sentinel parallel-syncs ${PRIMARY_NAME} 1`,
            '',
          ].join('\n'),
        );
        return [conf];
      },
    });
  };

  /** Every sentinel's last log lines, for a failure message: what they saw is the only clue a busy CI run leaves. */
  const sentinelLogs = (): string => sentinels.map((sentinel, index) => `sentinel ${index}:\n${sentinel.output()}`).join('\n');

  beforeAll(async () => {
    primary = await startRedisServer();
    replica = await startRedisServer();
    // The replica follows the primary, set at run time: the helper picks its ports itself.
    const replicaClient = new Redis(replica.port, '127.0.0.1');
    await replicaClient.replicaof('127.0.0.1', primary.port);
    await eventually(() => replicaClient.info('replication'), (info) => info.includes('master_link_status:up'), 30_000);
    replicaClient.disconnect();
    for (let index = 0; index < 3; index++) sentinels.push(await startSentinel(index));
    // Ready when every sentinel knows the replica and the two other sentinels.
    for (const sentinel of sentinels) {
      const client = new Redis(sentinel.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1 });
      client.on('error', () => undefined);
      try {
        await eventually(
          async () => {
            const replicas = (await client.call('SENTINEL', 'REPLICAS', PRIMARY_NAME)) as unknown[];
            const peers = (await client.call('SENTINEL', 'SENTINELS', PRIMARY_NAME)) as unknown[];
            return `${replicas.length} replicas, ${peers.length} other sentinels`;
          },
          (known) => known === '1 replicas, 2 other sentinels',
          45_000,
        );
      } catch (error) {
        throw new Error(`sentinel on port ${sentinel.port} never knew the replica and both others: ${error instanceof Error ? error.message : String(error)}\n${sentinelLogs()}`);
      } finally {
        client.disconnect();
      }
    }
    const masterKey = randomBytes(32).toString('hex');
    for (const id of ['sentinel-a', 'sentinel-b']) {
      const nodeDir = join(dir, id);
      mkdirSync(nodeDir);
      nodes.push(
        await spawnReceiver(
          nodeDir,
          {
            node: { id },
            ingress: { listen: '127.0.0.1:0' },
            storage: { path: './data' },
            redis: { sentinels: sentinels.map((sentinel) => ({ host: '127.0.0.1', port: sentinel.port })), name: PRIMARY_NAME, keyPrefix: KEY_PREFIX },
            integrations: [{ id: 'inv', scheme: 'hmac', hmac: TEST_HMAC_OPTIONS, secrets: [{ id: 's1', value: secret }] }],
          },
          { HOOKWARDEN_MASTER_KEY: masterKey },
        ),
      );
    }
  }, 120_000);

  afterAll(async () => {
    for (const node of nodes) {
      node.child.kill('SIGTERM');
      await node.exited;
    }
    for (const sentinel of sentinels) await sentinel.stop();
    await replica?.stop();
    await primary?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('continues after the primary is killed under traffic: nothing acknowledged lost, nothing accepted twice', async () => {
    const accepted = new Map<string, Delivery>();
    const unavailable: { node: number; at: number }[] = [];
    let killedAt = 0;
    let afterKill = 0;
    let index = 0;
    const started = Date.now();
    // Sequential traffic alternating between the two nodes, each delivery new.
    while (Date.now() - started < TRAFFIC_LIMIT_MS) {
      const nodeIndex = index % 2;
      const delivery = await sign('hmac', { secret, body: JSON.stringify({ n: index, r: randomBytes(4).toString('hex') }), id: `evt-${index}` });
      index++;
      const answer = await post(`${nodes[nodeIndex]?.ingressUrl}/hooks/inv`, delivery);
      if (answer.status === 202 && answer.json.requestId) {
        accepted.set(answer.json.requestId, delivery);
        if (killedAt > 0) afterKill++;
      } else {
        expect(answer.status, JSON.stringify(answer.json)).toBe(503);
        unavailable.push({ node: nodeIndex, at: Date.now() });
      }
      if (killedAt === 0 && accepted.size >= 40) {
        await primary.kill();
        killedAt = Date.now();
      }
      // Enough traffic on both nodes after the failover.
      if (killedAt > 0 && afterKill >= 40) break;
    }
    expect(killedAt).toBeGreaterThan(0);
    expect(afterKill).toBeGreaterThanOrEqual(40);

    // The sentinels promoted the replica.
    const sentinel = new Redis(sentinels[0]?.port ?? 0, '127.0.0.1');
    const [, newPort] = (await sentinel.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', PRIMARY_NAME)) as [string, string];
    sentinel.disconnect();
    expect(Number(newPort)).toBe(replica.port);

    // Nothing acknowledged lost: every 202 reached the integration's stream on the new primary, once.
    const promoted = new Redis(replica.port, '127.0.0.1');
    try {
      await eventually(
        async () => {
          const entries = await promoted.xrange(`${KEY_PREFIX}:stream:inv`, '-', '+');
          return entries.map(([, fields]) => fields[fields.indexOf('requestId') + 1] ?? '');
        },
        (ids) => [...accepted.keys()].every((id) => ids.includes(id)),
        30_000,
      );
      const ids = (await promoted.xrange(`${KEY_PREFIX}:stream:inv`, '-', '+')).map(([, fields]) => fields[fields.indexOf('requestId') + 1] ?? '');
      expect(ids.length).toBe(new Set(ids).size);
      expect(new Set(ids)).toEqual(new Set(accepted.keys()));
    } finally {
      promoted.disconnect();
    }

    // Nothing accepted twice: every accepted delivery sent again, to either node, is a duplicate. A 503
    // is "try again" (a sender retries it), never an acceptance, so it is retried here too.
    let resend = 0;
    for (const delivery of accepted.values()) {
      const node = nodes[resend++ % 2];
      const answer = await eventually(() => post(`${node?.ingressUrl}/hooks/inv`, delivery), (reply) => reply.status !== 503, 30_000);
      expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    }

    const window = unavailable.length === 0 ? 0 : (unavailable.at(-1)?.at ?? killedAt) - killedAt;
    console.info(
      `sentinel failover: ${accepted.size} accepted, ${unavailable.length} answered 503, for ${(window / 1000).toFixed(1)} s after the primary was killed (node a: ${unavailable.filter((entry) => entry.node === 0).length}, node b: ${unavailable.filter((entry) => entry.node === 1).length})`,
    );
  }, 120_000);
});
