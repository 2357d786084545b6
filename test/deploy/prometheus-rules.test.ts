import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { TEST_HMAC_OPTIONS, newSecret, sampleBody, sign } from '../helpers/signers.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { startTestReceiver, type TestReceiver } from '../helpers/test-receiver.js';
import { eventually } from '../integration/redis/redis-fixture.js';

const PATIENCE_MS = 30_000;

const DIR = join(import.meta.dirname, '..', '..', 'deploy', 'prometheus');
const RULES = join(DIR, 'hookwarden.rules.yml');
const PROMTOOL = '/usr/bin/promtool';
const hasPromtool = existsSync(PROMTOOL);

function promtool(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync(PROMTOOL, args, { cwd: DIR, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Every metric name a rule's expression reads, minus recorded series and Prometheus' own `up`. */
function metricsTheRulesRead(): Set<string> {
  const document = parse(readFileSync(RULES, 'utf8')) as { groups: { rules: { expr: string; record?: string }[] }[] };
  const rules = document.groups.flatMap((group) => group.rules);
  const recorded = new Set(rules.flatMap((rule) => (rule.record ? [rule.record] : [])));
  const names = new Set<string>();
  for (const rule of rules) for (const [name] of rule.expr.matchAll(/\bhookwarden_[a-z_]+\b/g)) names.add(name);
  for (const name of recorded) names.delete(name);
  return names;
}

describe.skipIf(!hasPromtool)('the Prometheus rules (promtool)', () => {
  it('pass promtool check rules', () => {
    const { status, output } = promtool('check', 'rules', RULES);
    expect(output).toContain('SUCCESS');
    expect(status, output).toBe(0);
  });

  it('pass their unit tests (promtool test rules)', () => {
    const { status, output } = promtool('test', 'rules', 'hookwarden.rules.test.yml');
    expect(status, output).toBe(0);
    expect(output).toContain('SUCCESS');
  });
});

describe('the metrics the rules read, on a real node\'s /metrics', () => {
  const secret = newSecret('hmac');
  const integration = { id: 'inv', scheme: 'hmac', hmac: TEST_HMAC_OPTIONS, secrets: [{ id: 's1', value: secret, createdAt: '2026-01-02T03:04:05Z' }] };
  let redis: RedisServer;
  let fleetNode: TestReceiver;
  let standalone: TestReceiver;
  const metrics = async (node: TestReceiver): Promise<string> => (await fetch(`${node.engine.adminUrl}/metrics`)).text();
  const actor = { name: 'test', sourceIp: '127.0.0.1' };

  beforeAll(async () => {
    redis = await startRedisServer();
    fleetNode = await startTestReceiver({ admin: { listen: '127.0.0.1:0' }, redis: { url: redis.url }, integrations: [integration] });
    // No downstream and no Redis: the outbox is the queue, so an accepted delivery stays in the backlog.
    standalone = await startTestReceiver({ admin: { listen: '127.0.0.1:0' }, integrations: [integration] });
  });
  afterAll(async () => {
    await fleetNode?.close();
    await standalone?.close();
    await redis?.stop();
  });

  it('exposes every metric the rules read', async () => {
    const text = `${await metrics(fleetNode)}\n${await metrics(standalone)}`;
    // Counters appear once they have a sample.
    expect((await standalone.post('/hooks/inv', { headers: {}, body: '{}' })).status).toBe(401);
    const all = `${text}\n${await metrics(standalone)}`;
    await fleetNode.engine.commands.kill(actor, 'inv', { mode: 'hold', reason: 'metrics test' });
    const withKill = `${all}\n${await metrics(fleetNode)}`;
    for (const name of metricsTheRulesRead()) expect(withKill, name).toMatch(new RegExp(`^${name}\\{`, 'm'));
    await fleetNode.engine.commands.release(actor, 'inv', { reason: 'metrics test done' });
  });

  it('reports the kill switch with the time it was engaged, and nothing once released', async () => {
    const before = Math.floor(Date.now() / 1000);
    await standalone.engine.commands.kill(actor, 'inv', { mode: 'reject', reason: 'incident 42' });
    const engaged = await metrics(standalone);
    expect(engaged).toMatch(/^hookwarden_kill_switch_engaged\{integration="inv",mode="reject",node="[^"]+"\} 1$/m);
    const since = /^hookwarden_kill_switch_engaged_since_timestamp_seconds\{integration="inv",mode="reject",node="[^"]+"\} (\S+)$/m.exec(engaged);
    expect(Number(since?.[1])).toBeGreaterThanOrEqual(before);
    await standalone.engine.commands.release(actor, 'inv', { reason: 'over' });
    const released = await metrics(standalone);
    expect(released).toMatch(/^hookwarden_kill_switch_engaged\{integration="inv",mode="",node="[^"]+"\} 0$/m);
    expect(released).not.toMatch(/^hookwarden_kill_switch_engaged_since_timestamp_seconds\{/m);
  });

  it('reports each usable secret\'s creation time from the config', async () => {
    expect(await metrics(standalone)).toMatch(
      new RegExp(`^hookwarden_secret_created_timestamp_seconds\\{integration="inv",secret="s1",node="[^"]+"\\} ${Date.parse('2026-01-02T03:04:05Z') / 1000}$`, 'm'),
    );
  });

  it('counts the backlog of accepted deliveries still waiting for the downstream', async () => {
    const backlog = (text: string): number => Number(/^hookwarden_downstream_backlog\{node="[^"]+"\} (\S+)$/m.exec(text)?.[1]);
    const start = backlog(await metrics(standalone));
    for (let i = 0; i < 3; i++) expect((await standalone.post('/hooks/inv', await sign('hmac', { secret, body: sampleBody('hmac') }))).status).toBe(202);
    const text = await metrics(standalone);
    expect(backlog(text)).toBe(start + 3);
    expect(Number(/^hookwarden_downstream_oldest_age_seconds\{node="[^"]+"\} (\S+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(0);
    // The fleet node's Redis Stream takes its deliveries: its backlog drains to 0.
    expect((await fleetNode.post('/hooks/inv', await sign('hmac', { secret, body: sampleBody('hmac') }))).status).toBe(202);
    await eventually(async () => backlog(await metrics(fleetNode)), (count) => count === 0, PATIENCE_MS);
  });

  it('reports the store and Redis up, then Redis down while it is gone', async () => {
    const text = await metrics(fleetNode);
    expect(text).toMatch(/^hookwarden_store_up\{node="[^"]+"\} 1$/m);
    expect(text).toMatch(/^hookwarden_redis_up\{node="[^"]+"\} 1$/m);
    expect(await metrics(standalone)).not.toMatch(/^hookwarden_redis_up\{/m);
    await redis.kill();
    try {
      // The connection notices on its next command or socket close; a delivery attempt is such a command.
      await eventually(
        async () => {
          await fleetNode.post('/hooks/inv', await sign('hmac', { secret, body: sampleBody('hmac') }));
          return metrics(fleetNode);
        },
        (text) => /^hookwarden_redis_up\{node="[^"]+"\} 0$/m.test(text),
        PATIENCE_MS,
      );
    } finally {
      await redis.restart();
    }
    await eventually(() => metrics(fleetNode), (text) => /^hookwarden_redis_up\{node="[^"]+"\} 1$/m.test(text), PATIENCE_MS);
  });
});
