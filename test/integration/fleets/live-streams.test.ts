import { rmSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EventName, EventPayload, FleetDelivery } from '../../../shared/contract/console.js';
import type { EventSink } from '../../../electron/main/services/command-handlers.js';
import { FleetConnection } from '../../../electron/main/services/fleets/fleet-connection.js';
import { LiveStreams } from '../../../electron/main/services/fleets/live-streams.js';
import { tempDir, type TestReceiver } from '../../helpers/test-receiver.js';
import { deliver, eventually, freePort, makePki, startCuttableProxy, startNode, TOKENS, type Pki } from './fleet-fixture.js';

/** Live streams from real nodes: merged, batched, resumed without gap or duplicate. */

let pki: Pki;
const cleanups: (() => Promise<void>)[] = [];
beforeAll(() => {
  pki = makePki();
});
afterAll(() => pki.remove());
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Recorded {
  readonly batches: EventPayload<'deliveries'>[];
  readonly states: EventPayload<'streams'>[];
  readonly sink: EventSink;
  deliveries(): FleetDelivery[];
  dropped(): number;
}

function recorder(): Recorded {
  const batches: EventPayload<'deliveries'>[] = [];
  const states: EventPayload<'streams'>[] = [];
  const sink = (<E extends EventName>(event: E, payload: EventPayload<E>) => {
    if (event === 'deliveries') batches.push(payload as EventPayload<'deliveries'>);
    if (event === 'streams') states.push(payload as EventPayload<'streams'>);
  }) as EventSink;
  return {
    batches,
    states,
    sink,
    deliveries: () => batches.flatMap((batch) => batch.deliveries),
    dropped: () => batches.reduce((total, batch) => total + batch.dropped, 0),
  };
}

async function node(options: Parameters<typeof startNode>[0] = {}): Promise<TestReceiver> {
  const started = await startNode({ tls: pki.server, ...options });
  cleanups.push(() => started.close());
  return started;
}

function connection(urls: string[]): FleetConnection {
  return new FleetConnection({ id: 'prod', nodes: urls.map((url) => ({ url })), token: TOKENS.read, ca: pki.ca });
}

async function live(source: FleetConnection, record: Recorded): Promise<LiveStreams> {
  const streams = new LiveStreams({ sink: record.sink, reconnect: { initialMs: 50, maxMs: 400 } });
  cleanups.push(() => streams.stop());
  await streams.watch(source);
  await eventually(() => streams.nodeStates().length === source.nodes.length && streams.nodeStates().every((state) => state.state === 'live'), 10_000, 'every stream live');
  return streams;
}

async function sendMany(ingressUrl: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  // Ten at a time: a burst, without exhausting sockets.
  for (let start = 0; start < count; start += 10) {
    const answers = await Promise.all(Array.from({ length: Math.min(10, count - start) }, () => deliver(ingressUrl)));
    for (const answer of answers) {
      expect(answer.status).toBe(202);
      ids.push(answer.json.requestId ?? '');
    }
  }
  return ids;
}

function expectExactlyOnce(received: readonly FleetDelivery[], sent: readonly string[]): void {
  const ids = received.map((delivery) => delivery.requestId);
  expect(new Set(ids).size).toBe(ids.length);
  expect([...ids].sort()).toEqual([...sent].sort());
}

describe('live streams', () => {
  it('merges two nodes into batches: far fewer events than deliveries, every delivery present', async () => {
    const [a, b] = [await node(), await node()];
    const record = recorder();
    await live(connection([a.engine.adminUrl ?? '', b.engine.adminUrl ?? '']), record);

    const started = Date.now();
    const [fromA, fromB] = await Promise.all([sendMany(a.engine.ingressUrl, 100), sendMany(b.engine.ingressUrl, 100)]);
    await eventually(() => record.deliveries().length + record.dropped() >= 200, 15_000, '200 deliveries');
    const elapsed = Date.now() - started;

    expect(record.dropped()).toBe(0);
    expectExactlyOnce(record.deliveries(), [...fromA, ...fromB]);
    for (const delivery of record.deliveries()) {
      expect(delivery.fleetId).toBe('prod');
      expect(delivery.nodeUrl).toBe(fromA.includes(delivery.requestId) ? a.engine.adminUrl : b.engine.adminUrl);
    }
    // At most one batch per 100 ms (plus the first, sent at once): far fewer than the 200 deliveries.
    expect(record.batches.length).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 2);
    expect(record.batches.length).toBeLessThan(50);
    expect(record.batches.every((batch) => batch.deliveries.length > 0)).toBe(true);
  });

  it('counts what it drops when the consumer cannot keep up, and keeps the newest', async () => {
    const a = await node();
    const record = recorder();
    const streams = new LiveStreams({ sink: record.sink, batcher: { capacity: 20, maxBatch: 5, intervalMs: 100 } });
    cleanups.push(() => streams.stop());
    await streams.watch(connection([a.engine.adminUrl ?? '']));
    await eventually(() => streams.nodeStates()[0]?.state === 'live');
    const sent = await sendMany(a.engine.ingressUrl, 120);
    await eventually(() => record.deliveries().length + record.dropped() >= 120, 15_000, 'deliveries or drops');
    expect(record.dropped()).toBeGreaterThan(0);
    expect(record.deliveries().length + record.dropped()).toBe(120);
    expect(streams.dropped).toBe(record.dropped());
    expect(record.batches.every((batch) => batch.deliveries.length <= 5)).toBe(true);
    // What got through is in order and the last delivery sent is always there.
    const ids = record.deliveries().map((delivery) => delivery.requestId);
    expect(ids.at(-1)).toBe(sent.at(-1));
    expect(ids.map((id) => sent.indexOf(id))).toEqual([...ids.map((id) => sent.indexOf(id))].sort((x, y) => x - y));
  });

  it('resumes with Last-Event-ID after the connection is cut: no gap, no duplicate', async () => {
    const a = await node();
    const proxy = await startCuttableProxy(new URL(a.engine.adminUrl ?? ''));
    cleanups.push(() => proxy.close());
    const record = recorder();
    const streams = await live(connection([proxy.url]), record);

    const before = await sendMany(a.engine.ingressUrl, 20);
    await eventually(() => record.deliveries().length === 20, 10_000, 'the first 20');
    proxy.down();
    await eventually(() => streams.nodeStates()[0]?.state === 'retrying', 5_000, 'retrying');
    // Logged by the node while the console cannot reach it.
    const during = await sendMany(a.engine.ingressUrl, 30);
    proxy.up();
    await eventually(() => streams.nodeStates()[0]?.state === 'live', 10_000, 'live again');
    const after = await sendMany(a.engine.ingressUrl, 10);
    await eventually(() => record.deliveries().length >= 60, 10_000, 'all 60');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expectExactlyOnce(record.deliveries(), [...before, ...during, ...after]);
    const seqs = record.deliveries().map((delivery) => delivery.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(record.states.some((payload) => payload.nodes[0]?.state === 'retrying' && payload.nodes[0].error !== undefined)).toBe(true);
  });

  it('resumes after the node restarts on the same store and port: no gap, no duplicate', async () => {
    // The admin port stays (the console's URL); the ingress gets a new one, so the test's own fetch pool holds no dead socket to it.
    const adminPort = await freePort();
    const dir = tempDir();
    let current = await startNode({ tls: pki.server, dir, adminPort });
    cleanups.push(async () => {
      await current.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const record = recorder();
    const streams = await live(connection([current.engine.adminUrl ?? '']), record);

    const before = await sendMany(current.engine.ingressUrl, 15);
    await eventually(() => record.deliveries().length === 15, 10_000, 'the first 15');
    await current.close();
    current = await startNode({ tls: pki.server, dir, adminPort });
    // Sent at once after the restart, most likely before the console is back.
    const after = await sendMany(current.engine.ingressUrl, 25);
    await eventually(() => record.deliveries().length >= 40, 10_000, 'all 40');
    await eventually(() => streams.nodeStates()[0]?.state === 'live');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expectExactlyOnce(record.deliveries(), [...before, ...after]);
  });

  it('reports a node it cannot reach as retrying with the reason, and stop() ends everything', async () => {
    const a = await node();
    const down = `https://127.0.0.1:${await freePort()}`;
    const record = recorder();
    const streams = new LiveStreams({ sink: record.sink, reconnect: { initialMs: 50, maxMs: 200 } });
    await streams.watch(connection([a.engine.adminUrl ?? '', down]));
    await eventually(() => streams.nodeStates().find((state) => state.url === down)?.state === 'retrying', 5_000, 'retrying');
    expect(streams.nodeStates().find((state) => state.url === down)?.error).toMatch(/cannot reach .*connection refused/);
    await eventually(() => streams.nodeStates().find((state) => state.url === a.engine.adminUrl)?.state === 'live');

    await streams.stop();
    const calls = record.batches.length + record.states.length;
    await sendMany(a.engine.ingressUrl, 5);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(record.batches.length + record.states.length).toBe(calls);
    // The node's side of the stream is gone too: closing the node does not wait for it.
    const closing = Date.now();
    await a.close();
    cleanups.splice(0);
    expect(Date.now() - closing).toBeLessThan(2_000);
  });
});
