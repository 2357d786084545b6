import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeliverySummary } from '../../../../shared/contract/admin-api.js';
import { deliverySummary } from '../../../helpers/delivery-summary.js';
import { AdminClient } from '../../../../electron/main/services/fleets/admin-client.js';
import { NodeStream, type StreamState } from '../../../../electron/main/services/fleets/node-stream.js';
import { backoffDelay } from '../../../../electron/main/services/fleets/backoff.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

const event = (seq: number) =>
  `id: ${seq}\nevent: delivery\ndata: ${JSON.stringify(deliverySummary({ seq, receivedAt: new Date().toISOString(), secretId: null }))}\n\n`;

describe('NodeStream', () => {
  it('reconnects with Last-Event-ID, skips repeated and malformed events, and reports its states', async () => {
    const lastIds: (string | undefined)[] = [];
    const server = createServer((request, response) => {
      lastIds.push(request.headers['last-event-id'] as string | undefined);
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      if (lastIds.length === 1) {
        // Two events, then half of a third, then the connection drops.
        response.write(`: connected\n\n${event(1)}${event(2)}${event(3).slice(0, 20)}`);
        setTimeout(() => response.destroy(), 30);
      } else {
        // A misbehaving node that repeats seq 2, then a malformed event, then new ones.
        response.write(`${event(2)}id: 3\nevent: delivery\ndata: {"broken":\n\n${event(4)}`);
      }
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

    const received: DeliverySummary[] = [];
    const states: { state: StreamState; error?: string | undefined }[] = [];
    const stream = new NodeStream({
      client: new AdminClient({ url, token: 't' }),
      onDelivery: (delivery) => received.push(delivery),
      onState: (state, error) => states.push({ state, error }),
      backoff: { initialMs: 10, maxMs: 20 },
    });
    stream.start();
    const deadline = Date.now() + 5_000;
    while (received.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    await stream.stop();

    expect(received.map((delivery) => delivery.seq)).toEqual([1, 2, 4]);
    expect(lastIds.slice(0, 2)).toEqual([undefined, '2']);
    expect(stream.lastEventId).toBe('4');
    expect(states.map(({ state }) => state).slice(0, 4)).toEqual(['connecting', 'live', 'retrying', 'connecting']);
    expect(states[2]?.error).toMatch(/connection to the node was lost|closed the event stream/);
  });

  it('backs off exponentially with jitter, capped', () => {
    const policy = { initialMs: 500, maxMs: 30_000 };
    expect(backoffDelay(policy, 0, () => 0)).toBe(250);
    expect(backoffDelay(policy, 0, () => 1)).toBe(500);
    expect(backoffDelay(policy, 3, () => 0.5)).toBe(3_000);
    expect(backoffDelay(policy, 20, () => 1)).toBe(30_000);
    expect(backoffDelay(policy, 20, () => 0)).toBe(15_000);
  });
});
