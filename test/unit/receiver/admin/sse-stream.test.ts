import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeliverySummary, StreamQuery } from '../../../../shared/contract/admin-api.js';
import { DEFAULT_STREAM_OPTIONS, openDeliveryStream, type StreamOptions, type StreamSource } from '../../../../receiver/admin/sse-stream.js';
import { deliverySummary } from '../../../helpers/delivery-summary.js';

/** An in-memory delivery log that, like the engine, stores a delivery before it publishes it. */
class FakeLog implements StreamSource {
  readonly entries: DeliverySummary[] = [];
  readonly listeners = new Set<(delivery: DeliverySummary) => void>();
  onRead: () => void = () => {};

  store(overrides: Partial<DeliverySummary> = {}): DeliverySummary {
    const seq = this.entries.length + 1;
    const delivery = deliverySummary({
      seq,
      requestId: `req-${seq}`,
      nodeId: 'n1',
      sourceIp: '10.0.0.1',
      bodySize: 10,
      latencyUs: 100,
      ...overrides,
    });
    this.entries.push(delivery);
    return delivery;
  }

  publish(delivery: DeliverySummary): void {
    for (const listener of this.listeners) listener(delivery);
  }

  add(overrides: Partial<DeliverySummary> = {}): DeliverySummary {
    const delivery = this.store(overrides);
    this.publish(delivery);
    return delivery;
  }

  deliveriesAfter(seq: number, limit: number): DeliverySummary[] {
    // What happened between two reads; a read itself is one synchronous step, as with SQLite.
    this.onRead();
    return this.entries.filter((delivery) => delivery.seq > seq).slice(0, limit);
  }

  subscribe(listener: (delivery: DeliverySummary) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

interface Event {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

describe('delivery event stream', () => {
  let server: Server | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = undefined;
  });

  async function serve(log: FakeLog, filter: Partial<StreamQuery> = {}, options: Partial<StreamOptions> = {}): Promise<string> {
    server = createServer((request, response) => {
      const header = request.headers['last-event-id'];
      openDeliveryStream(response, log, { sample: 1, ...filter }, typeof header === 'string' ? Number(header) : undefined, { ...DEFAULT_STREAM_OPTIONS, ...options });
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }

  function connectTo(url: string, lastEventId?: number): Promise<{ response: IncomingMessage; events: Event[]; next: (count: number) => Promise<Event[]> }> {
    return new Promise((resolve, reject) => {
      const request = get(url, { headers: lastEventId === undefined ? {} : { 'last-event-id': String(lastEventId) } }, (response) => {
        sockets.push(response.socket);
        const events: Event[] = [];
        const waiting: { count: number; resolve: () => void }[] = [];
        let buffer = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event: Event = {};
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) event.comment = line.slice(1).trim();
              else {
                const colon = line.indexOf(':');
                (event as Record<string, string>)[line.slice(0, colon)] = line.slice(colon + 2);
              }
            }
            if (event.event) events.push(event);
            else if (event.comment === 'heartbeat') events.push(event);
          }
          for (const waiter of waiting.splice(0)) {
            if (events.length >= waiter.count) waiter.resolve();
            else waiting.push(waiter);
          }
        });
        const next = (count: number) =>
          new Promise<Event[]>((done, fail) => {
            const timer = setTimeout(() => fail(new Error(`only ${events.length} of ${count} events arrived`)), 5000);
            const finish = () => {
              clearTimeout(timer);
              done(events.slice(0, count));
            };
            if (events.length >= count) finish();
            else waiting.push({ count, resolve: finish });
          });
        resolve({ response, events, next });
      });
      request.on('error', reject);
    });
  }

  const seqsOf = (events: Event[]) => events.filter((event) => event.event === 'delivery').map((event) => Number(event.id));

  it('sends one event per delivery with the seq as id and the summary as data', async () => {
    const log = new FakeLog();
    const client = await connectTo(await serve(log));
    expect(client.response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const first = log.add();
    log.add();
    const events = await client.next(2);
    expect(events[0]).toEqual({ id: '1', event: 'delivery', data: JSON.stringify(first) });
    expect(seqsOf(events)).toEqual([1, 2]);
  });

  it('resumes after Last-Event-ID with no gap and no duplicate while deliveries keep arriving', async () => {
    const log = new FakeLog();
    for (let index = 0; index < 95; index++) log.add();
    let reads = 0;
    // During the replay, deliveries are stored and published (the stream must take them from the log),
    // and some are stored but published only later (the live copy must be dropped).
    const unpublished: DeliverySummary[] = [];
    log.onRead = () => {
      reads++;
      log.add();
      unpublished.push(log.store());
    };
    const client = await connectTo(await serve(log, {}, { replayPageSize: 10 }), 40);
    await new Promise((resolve) => setTimeout(resolve, 50));
    log.onRead = () => {};
    for (const delivery of unpublished) log.publish(delivery);
    for (let index = 0; index < 5; index++) log.add();
    const total = log.entries.length;
    const events = await client.next(total - 40);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(reads).toBeGreaterThan(5);
    expect(seqsOf(client.events)).toEqual(Array.from({ length: total - 40 }, (_, index) => 41 + index));
    expect(events).toHaveLength(total - 40);
  });

  it('filters by integration and outcome, and samples', async () => {
    const log = new FakeLog();
    const client = await connectTo(await serve(log, { integration: 'pay', outcome: ['rejected'] }));
    log.add({ outcome: 'accepted' });
    log.add({ outcome: 'rejected', status: 401, reason: 'signature_invalid' });
    log.add({ integrationId: 'gh', outcome: 'rejected', status: 401, reason: 'signature_invalid' });
    log.add({ outcome: 'rejected', status: 401, reason: 'signature_missing' });
    expect(seqsOf(await client.next(2))).toEqual([2, 4]);

    server?.closeAllConnections();
    server?.close();
    const sampledLog = new FakeLog();
    let flip = 0;
    const sampled = await connectTo(await serve(sampledLog, { sample: 0.5 }, { random: () => (flip++ % 2 === 0 ? 0.2 : 0.7) }));
    for (let index = 0; index < 6; index++) sampledLog.add();
    expect(seqsOf(await sampled.next(3))).toEqual([1, 3, 5]);
  });

  it('sends heartbeats', async () => {
    const client = await connectTo(await serve(new FakeLog(), {}, { heartbeatMs: 20 }));
    const [event] = await client.next(1);
    expect(event?.comment).toBe('heartbeat');
  });

  it('cuts off a consumer that stops reading instead of buffering for it', async () => {
    const log = new FakeLog();
    const url = new URL(await serve(log, {}, { maxBufferedBytes: 256 * 1024 }));
    const socket = connect(Number(url.port), url.hostname);
    sockets.push(socket);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(`GET / HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`);
    await new Promise((resolve) => socket.once('data', resolve));
    socket.pause();
    expect(log.listeners.size).toBe(1);
    const big = 'x'.repeat(16 * 1024);
    for (let index = 0; index < 2000 && log.listeners.size > 0; index++) {
      log.add({ path: `/hooks/${big}` });
      if (index % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    // Cut off long before 2000 × 16 KiB were queued for it, and unsubscribed.
    expect(log.listeners.size).toBe(0);
    expect(log.entries.length).toBeLessThan(1000);
  });
});
