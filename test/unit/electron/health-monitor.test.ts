import { describe, expect, it } from 'vitest';
import type { NodeInfo } from '../../../shared/contract/admin-api.js';
import { AlertLog, type RaisedAlert } from '../../../electron/main/services/alerts/alert-log.js';
import { HealthMonitor, type WatchedFleet } from '../../../electron/main/services/alerts/health-monitor.js';
import { clockOffset, fleetHealth, nodeHealth, type NodeProbe } from '../../../electron/main/services/console/fleet-health.js';

const T0 = Date.parse('2026-11-30T01:00:00.000Z');

function info(fields: Partial<NodeInfo> = {}): NodeInfo {
  return {
    nodeId: 'eu-1',
    version: '0.1.0',
    startedAt: new Date(T0 - 60_000).toISOString(),
    uptimeSeconds: 60,
    storage: { ok: true },
    redis: { ok: true },
    sharedState: 'abc',
    ...fields,
  };
}

const answered = (url: string, node: NodeInfo, sentAt = T0, receivedAt = T0 + 40): NodeProbe => ({ url, sentAt, receivedAt, info: node });
const unreachable = (url: string): NodeProbe => ({ url, sentAt: T0, receivedAt: T0 + 5, error: `cannot reach ${url}: connection refused`, failure: 'unreachable' });

describe('node and fleet health', () => {
  it('calls a node whose Redis is down refusing, even when it is too old to report readiness', () => {
    const health = nodeHealth(answered('http://a', info({ redis: { ok: false } })));
    expect(health).toMatchObject({ state: 'refusing', readiness: 'unknown', problems: ['Redis down'] });
    expect(nodeHealth(answered('http://a', info({ ready: false }))).state).toBe('refusing');
    expect(nodeHealth(answered('http://a', info({ ready: true }))).readiness).toBe('ready');
  });

  it('rolls two refusing nodes up into "2 of 2 nodes up, refusing traffic: Redis down"', () => {
    const refusing = nodeHealth(answered('http://a', info({ redis: { ok: false, detail: 'connect ECONNREFUSED 127.0.0.1:6379' }, ready: false })));
    const otherwise = nodeHealth(answered('http://b', info({ redis: { ok: false, detail: "Stream isn't writeable" }, ready: false })));
    // Each node's row keeps its detail; the fleet's line names the problem once.
    expect(refusing.problems).toEqual(['Redis down (connect ECONNREFUSED 127.0.0.1:6379)']);
    expect(fleetHealth([refusing, otherwise])).toEqual({ state: 'refusing', up: 2, total: 2, summary: '2 of 2 nodes up, refusing traffic: Redis down' });
    const up = nodeHealth(answered('http://b', info({ ready: true })));
    expect(fleetHealth([up, nodeHealth(unreachable('http://c'))])).toMatchObject({ state: 'degraded', up: 1, summary: '1 of 2 nodes up; 1 not answering' });
    expect(fleetHealth([up, up]).state).toBe('healthy');
  });

  it('names a downstream that falls behind, and a token refusal as unknown rather than down', () => {
    const behind = nodeHealth(answered('http://a', info({ downstream: { ok: true, backlog: 1204, oldestAgeSeconds: 420 } })));
    expect(behind).toMatchObject({ state: 'up', problems: ['downstream behind: backlog 1,204, oldest 7 min'] });
    const refused = nodeHealth({ url: 'http://a', sentAt: T0, receivedAt: T0, error: 'refused the admin token', failure: 'token_refused' });
    expect(refused.state).toBe('unknown');
  });

  it('compares the node\'s clock with the console\'s at the midpoint of the round trip', () => {
    // Sent at T0, answered at T0 + 2 s: the node read its clock about T0 + 1 s.
    expect(clockOffset(new Date(T0 + 1_000).toISOString(), T0, T0 + 2_000)).toEqual({ offsetMs: 0, uncertaintyMs: 1_000 });
    expect(clockOffset(new Date(T0 + 8_000).toISOString(), T0, T0 + 2_000)).toEqual({ offsetMs: 7_000, uncertaintyMs: 1_000 });
    const ahead = nodeHealth(answered('http://a', info({ time: new Date(T0 + 8_020).toISOString() })));
    expect(ahead.problems).toEqual(["clock 8 s ahead of this console's"]);
    // 6 s off, but the round trip took 4 s: it might be 4 s off only, which is not worth an alert.
    expect(nodeHealth(answered('http://a', info({ time: new Date(T0 + 8_000).toISOString() }), T0, T0 + 4_000)).problems).toEqual([]);
  });
});

describe('the health monitor', () => {
  function fixture() {
    const probes = new Map<string, NodeProbe>();
    const raised: RaisedAlert[] = [];
    let now = T0;
    const fleet: WatchedFleet = {
      id: 'f-1',
      name: 'production EU',
      probe: (clock) => {
        expect(clock()).toBe(now);
        return Promise.resolve([...probes.values()]);
      },
    };
    const monitor = new HealthMonitor({ fleets: () => Promise.resolve([fleet]), raise: (alerts) => raised.push(...alerts), now: () => now });
    const set = (url: string, probe: (url: string) => NodeProbe) => probes.set(url, probe(url));
    return { monitor, raised, set, advance: (ms: number) => (now += ms) };
  }
  const healthy = (url: string) => answered(url, info({ ready: true, time: new Date(T0).toISOString() }));
  const redisDown = (url: string) => answered(url, info({ ready: false, redis: { ok: false }, time: new Date(T0).toISOString() }));

  it('raises one alert when the fleet starts refusing traffic, none while it goes on, and one when it is over', async () => {
    const { monitor, raised, set } = fixture();
    set('http://a', healthy);
    set('http://b', healthy);
    await monitor.check();
    expect(raised).toEqual([]);
    set('http://a', redisDown);
    set('http://b', redisDown);
    await monitor.check();
    await monitor.check();
    expect(raised).toEqual([
      expect.objectContaining({ kind: 'fleet_refusing', fleetId: 'f-1', message: 'production EU refuses traffic (2 of 2 nodes up, refusing traffic: Redis down): senders get 503.' }),
    ]);
    set('http://a', healthy);
    set('http://b', healthy);
    await monitor.check();
    expect(raised.map((alert) => alert.kind)).toEqual(['fleet_refusing', 'recovered']);
  });

  it('raises when a node stops answering, and when it answers again', async () => {
    const { monitor, raised, set } = fixture();
    set('http://a', healthy);
    set('http://b', healthy);
    await monitor.check();
    set('http://b', unreachable);
    await monitor.check();
    await monitor.check();
    expect(raised).toMatchObject([{ kind: 'node_down', nodeUrl: 'http://b' }]);
    expect(raised[0]?.message).toContain('does not answer');
    set('http://b', healthy);
    await monitor.check();
    expect(raised.map((alert) => alert.kind)).toEqual(['node_down', 'recovered']);
  });

  it('raises on one node refusing while the other takes traffic', async () => {
    const { monitor, raised, set } = fixture();
    set('http://a', healthy);
    set('http://b', redisDown);
    await monitor.check();
    expect(raised).toMatchObject([{ kind: 'node_refusing', nodeUrl: 'http://b' }]);
  });

  it('raises on a node whose own clock is off the console\'s, once', async () => {
    const { monitor, raised, set, advance } = fixture();
    set('http://a', (url) => answered(url, info({ time: new Date(T0 + 9_000).toISOString() })));
    await monitor.check();
    await monitor.check();
    expect(raised).toMatchObject([{ kind: 'clock_skew', nodeUrl: 'http://a' }]);
    expect(raised[0]?.message).toContain("clock 9 s ahead of this console's");
    advance(1_000);
    expect(raised).toHaveLength(1);
  });

  it('polls by itself once started, and stops', async () => {
    const { monitor, raised, set } = fixture();
    set('http://a', unreachable);
    monitor.start();
    await expect.poll(() => raised.length).toBe(1);
    await monitor.stop();
  });
});

describe('the notification list', () => {
  it('keeps every alert newest first with an id, acknowledged or not, within its cap', () => {
    const log = new AlertLog(3);
    const alert = (message: string): RaisedAlert => ({ kind: 'node_down', fleetId: 'f-1', message, at: new Date(T0).toISOString() });
    const [first] = log.add([alert('one')]);
    log.add([alert('two'), alert('three')]);
    expect(log.list().map((entry) => entry.message)).toEqual(['three', 'two', 'one']);
    expect(log.acknowledge([first!.id])).toBe(1);
    expect(log.list().map((entry) => entry.acknowledged)).toEqual([false, false, true]);
    log.add([alert('four')]);
    expect(log.list().map((entry) => entry.message)).toEqual(['four', 'three', 'two']);
    expect(log.acknowledge()).toBe(3);
    expect(log.list().every((entry) => entry.acknowledged)).toBe(true);
  });
});
