import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../../receiver/admin/admin-service.js';
import { TEST_HMAC_OPTIONS, newSecret, sampleBody, sign } from '../../helpers/signers.js';
import { startTestReceiver, type TestReceiver } from '../../helpers/test-receiver.js';

interface Received {
  readonly requestId: string;
  readonly body: string;
}

/** A real internal service on loopback that fails the first `failFirst` requests. */
async function downstream(failFirst: number): Promise<{ server: Server; url: string; received: Received[]; attempts: () => number }> {
  const received: Received[] = [];
  let attempts = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      attempts++;
      if (attempts <= failFirst) return response.writeHead(503).end();
      received.push({ requestId: String(request.headers['x-hookwarden-request-id']), body: Buffer.concat(chunks).toString() });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/internal`, received, attempts: () => attempts };
}

async function eventually(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The outbox dispatcher and the HTTP forwarder, through a real receiver and a real downstream service. */
describe('forwarding accepted deliveries over HTTP', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const secret = newSecret('hmac');
  const actor: Actor = { name: 'ops', sourceIp: '127.0.0.1' };

  async function setup(failFirst: number, circuit = { circuitFailures: 100, circuitOpenMs: 50 }): Promise<{ receiver: TestReceiver; service: Awaited<ReturnType<typeof downstream>> }> {
    const service = await downstream(failFirst);
    cleanups.push(() => new Promise((resolve) => service.server.close(resolve)));
    const receiver = await startTestReceiver({
      downstream: { type: 'http', url: service.url, timeoutMs: 2000, initialBackoffMs: 5, maxBackoffMs: 20, ...circuit },
      integrations: [{ id: 'inv', scheme: 'hmac', hmac: TEST_HMAC_OPTIONS, secrets: [{ id: 's1', value: secret }] }],
    });
    cleanups.push(() => receiver.close());
    return { receiver, service };
  }

  const send = async (receiver: TestReceiver, body = sampleBody('hmac')) => {
    const answer = await receiver.post('/hooks/inv', await sign('hmac', { secret, body }));
    expect(answer.status).toBe(202);
    return answer.json.requestId ?? '';
  };
  const outboxSize = (receiver: TestReceiver) => receiver.db().prepare('SELECT count(*) FROM deliveries WHERE outbox IS NOT NULL').pluck().get() as number;

  it('delivers every accepted delivery in arrival order, through failures, leaving the outbox only after a 2xx', async () => {
    const { receiver, service } = await setup(3);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await send(receiver, JSON.stringify({ n: i })));
    await eventually(() => service.received.length === 5);
    expect(service.received.map((entry) => entry.requestId)).toEqual(ids);
    expect(service.received.map((entry) => JSON.parse(entry.body).n)).toEqual([0, 1, 2, 3, 4]);
    expect(service.attempts()).toBe(8);
    await eventually(() => outboxSize(receiver) === 0);
  });

  it('opens the circuit after repeated failures and stops calling the service until it half-opens', async () => {
    const { receiver, service } = await setup(1_000_000, { circuitFailures: 2, circuitOpenMs: 60_000 });
    await send(receiver);
    await eventually(() => service.attempts() >= 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(service.attempts()).toBe(2);
    expect(outboxSize(receiver)).toBe(1);
  });

  it('parks deliveries during a hold and sends them, oldest first, when it is released', async () => {
    const { receiver, service } = await setup(0);
    await receiver.engine.commands.kill(actor, 'inv', { mode: 'hold', reason: 'consumer migration' });
    const held = [await send(receiver, '{"n":"held-1"}'), await send(receiver, '{"n":"held-2"}')];
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(service.received).toEqual([]);
    await receiver.engine.commands.release(actor, 'inv', { reason: 'consumer ready' });
    const after = await send(receiver, '{"n":"after"}');
    await eventually(() => service.received.length === 3);
    expect(service.received.map((entry) => entry.requestId)).toEqual([...held, after]);
  });

  it('discards what a hold parked when the release says so', async () => {
    const { receiver, service } = await setup(0);
    await receiver.engine.commands.kill(actor, 'inv', { mode: 'hold', reason: 'bad deploy upstream' });
    await send(receiver);
    await receiver.engine.commands.release(actor, 'inv', { reason: 'events were bogus', held: 'discard' });
    const kept = await send(receiver);
    await eventually(() => service.received.length === 1);
    expect(service.received.map((entry) => entry.requestId)).toEqual([kept]);
    expect(outboxSize(receiver)).toBe(0);
  });
});
