import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type ChannelModel, type GetMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../receiver/config/load-config.js';
import { amqpSinkOptions } from '../../../receiver/sinks/amqp-sink.js';
import { spawnReceiver, type ReceiverProcess } from '../../helpers/receiver-process.js';
import { TEST_HMAC_OPTIONS, newSecret, sign } from '../../helpers/signers.js';
import { post } from '../../helpers/test-receiver.js';
import { eventually } from '../redis/redis-fixture.js';
import { rabbitAvailable, startRabbitBroker, type RabbitBroker } from './amqp-broker.js';

const EXCHANGE = 'hooks';
const QUEUE = 'hookwarden-all';
const INTEGRATIONS = ['orders', 'refunds'] as const;
const PATIENCE_MS = 120_000;

interface Sent {
  readonly integration: string;
  readonly requestId: string;
  readonly body: string;
}

describe.skipIf(!rabbitAvailable)('RabbitMQ downstream against a real broker', () => {
  const secret = newSecret('hmac');
  const dir = mkdtempSync(join(tmpdir(), 'hookwarden-amqp-'));
  let broker: RabbitBroker;
  let admin: ChannelModel | undefined;
  let node: ReceiverProcess | undefined;
  const accepted: Sent[] = [];
  /** Every body sent, answered or not, with its integration: a request cut by the kill may be stored without its 202. */
  const sent = new Map<string, string>();
  let counter = 0;

  const config = (routingKey = 'hookwarden.{integration}') => ({
    node: { id: 'amqp-node' },
    ingress: { listen: '127.0.0.1:0' },
    admin: { listen: '127.0.0.1:0' },
    storage: { path: './data' },
    downstream: { type: 'amqp', url: 'env:TEST_AMQP_URL', exchange: EXCHANGE, routingKey, initialBackoffMs: 100, maxBackoffMs: 1000, confirmTimeoutMs: 20_000 },
    integrations: INTEGRATIONS.map((id) => ({ id, scheme: 'hmac', hmac: TEST_HMAC_OPTIONS, secrets: [{ id: 's1', value: secret }] })),
  });
  const startNode = async (): Promise<ReceiverProcess> => (node = await spawnReceiver(dir, config(), { TEST_AMQP_URL: broker.url }));

  /** Sends one signed delivery; remembers it when the node answered 202 (the promise under test). */
  const send = async (): Promise<number> => {
    const integration = INTEGRATIONS[counter % INTEGRATIONS.length] ?? 'orders';
    const body = JSON.stringify({ id: `evt_${counter}`, n: counter });
    counter++;
    sent.set(body, integration);
    const answer = await post(`${node?.ingressUrl}/hooks/${integration}`, await sign('hmac', { secret, body }));
    if (answer.status === 202 && answer.json.requestId) accepted.push({ integration, requestId: answer.json.requestId, body });
    return answer.status;
  };

  const queued = async (): Promise<number> => {
    const channel = await admin!.createChannel();
    try {
      return (await channel.checkQueue(QUEUE)).messageCount;
    } finally {
      await channel.close();
    }
  };

  beforeAll(async () => {
    broker = await startRabbitBroker();
    admin = await connect(broker.url);
    admin.on('error', () => undefined);
    // What an operator declares once: a durable exchange and a durable queue bound to it.
    const channel = await admin.createChannel();
    await channel.assertExchange(EXCHANGE, 'topic', { durable: true });
    await channel.assertQueue(QUEUE, { durable: true });
    await channel.bindQueue(QUEUE, EXCHANGE, 'hookwarden.#');
    await channel.close();
    await startNode();
  }, 300_000);

  afterAll(async () => {
    node?.child.kill('SIGKILL');
    await node?.exited;
    await admin?.close().catch(() => undefined);
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('delivers every accepted delivery, in order per integration, across a broker crash and a node kill -9', async () => {
    // 1. Steady traffic.
    for (let i = 0; i < 20; i++) expect(await send()).toBe(202);
    await eventually(queued, (count) => count >= 20, PATIENCE_MS);

    // 2. The broker crashes (SIGKILL) under traffic: the ingress keeps accepting into the outbox.
    await broker.kill();
    for (let i = 0; i < 20; i++) expect(await send()).toBe(202);
    await broker.start();
    // Our admin connection died with the broker.
    admin = await connect(broker.url);
    admin.on('error', () => undefined);
    for (let i = 0; i < 10; i++) expect(await send()).toBe(202);

    // 3. The node is killed -9 while deliveries are still on their way; it restarts on its store.
    const inFlight = Array.from({ length: 10 }, () => send());
    node?.child.kill('SIGKILL');
    const statuses = await Promise.allSettled(inFlight);
    await node?.exited;
    await startNode();
    for (let i = 0; i < 10; i++) expect(await send()).toBe(202);
    // Requests cut by the kill got no answer (or a 202 that is in `accepted`): either way the sender retries the unanswered.
    expect(statuses.length).toBe(10);

    // Everything accepted reaches the queue.
    await eventually(queued, (count) => count >= accepted.length, PATIENCE_MS);
    const messages = await drain();
    const ids = messages.map((message) => String(message.properties.messageId));
    const byId = new Map(accepted.map((sent) => [sent.requestId, sent]));
    for (const delivery of accepted) expect(ids, delivery.requestId).toContain(delivery.requestId);
    // At least once: a delivery published but not yet confirmed (broker crash) or confirmed but not yet
    // removed from the outbox (node kill) is published again — at most one per interruption, since the
    // dispatcher publishes one at a time. Consumers deduplicate on messageId.
    const duplicates = ids.length - new Set(ids).size;
    expect(duplicates).toBeLessThanOrEqual(2);
    // Order per integration: first appearances follow the order of acceptance.
    for (const integration of INTEGRATIONS) {
      const expected = accepted.filter((sent) => sent.integration === integration).map((sent) => sent.requestId);
      const firstSeen = [...new Set(ids.filter((id) => byId.get(id)?.integration === integration))];
      expect(firstSeen).toEqual(expected);
    }
    // Raw bytes as sent (nothing that was never sent), persistence and the documented properties.
    for (const message of messages) {
      const body = message.content.toString();
      const integration = sent.get(body);
      expect(integration, body).toBeDefined();
      const known = byId.get(String(message.properties.messageId));
      if (known) expect(body).toBe(known.body);
      expect(message.properties.deliveryMode).toBe(2);
      expect(message.fields.routingKey).toBe(`hookwarden.${integration}`);
      expect(message.properties.headers?.['hookwarden-integration']).toBe(integration);
      expect(message.properties.appId).toBe('hookwarden');
    }
    console.info(`amqp: ${accepted.length} accepted, ${ids.length} messages, ${duplicates} published twice`);
  }, 600_000);

  it('keeps a delivery no queue is bound for in the outbox until one is', async () => {
    node?.child.kill('SIGTERM');
    await node?.exited;
    const unboundDir = mkdtempSync(join(dir, 'unbound-'));
    const unbound = await spawnReceiver(unboundDir, config('audit.{integration}'), { TEST_AMQP_URL: broker.url });
    try {
      const body = JSON.stringify({ id: 'evt_unbound' });
      const answer = await post(`${unbound.ingressUrl}/hooks/orders`, await sign('hmac', { secret, body }));
      expect(answer.status).toBe(202);
      const backlog = async (): Promise<number> =>
        Number(/^hookwarden_downstream_backlog\{node="[^"]+"\} (\S+)$/m.exec(await (await fetch(`${unbound.adminUrl}/metrics`)).text())?.[1]);
      // The broker returns it as unroutable; the node logs it and retries.
      await eventually(() => unbound.output(), (text) => text.includes('no queue is bound to exchange \\"hooks\\" for routing key \\"audit.orders\\"'), PATIENCE_MS);
      expect(await backlog()).toBe(1);
      const channel = await admin!.createChannel();
      await channel.assertQueue('audit', { durable: true });
      await channel.bindQueue('audit', EXCHANGE, 'audit.#');
      await eventually(backlog, (count) => count === 0, PATIENCE_MS);
      const message = await channel.get('audit', { noAck: true });
      expect(message && message.properties.messageId).toBe(answer.json.requestId);
      expect(message && message.content.toString()).toBe(body);
      await channel.close();
    } finally {
      unbound.child.kill('SIGTERM');
      await unbound.exited;
    }
  }, 300_000);

  async function drain(): Promise<GetMessage[]> {
    const channel = await admin!.createChannel();
    const messages: GetMessage[] = [];
    for (;;) {
      const message = await channel.get(QUEUE, { noAck: true });
      if (message === false) break;
      messages.push(message);
    }
    await channel.close();
    return messages;
  }
});

describe('downstream.url of the amqp downstream', () => {
  const downstream = (url: string) =>
    parseConfig(
      `downstream: { type: amqp, url: "${url}", exchange: hooks }\nintegrations: [ { id: a, scheme: github, secrets: [ { id: s1, value: x } ] } ]\n`,
      '/etc/hookwarden/receiver.yml',
    ).config.downstream;
  const options = (url: string, env: NodeJS.ProcessEnv = {}) => {
    const parsed = downstream(url);
    if (parsed?.type !== 'amqp') throw new Error('not amqp');
    return amqpSinkOptions(parsed, '/etc/hookwarden/receiver.yml', '/etc/hookwarden', env);
  };

  it('takes a literal URL or one from the environment, with the documented defaults', () => {
    expect(options('env:AMQP_URL', { AMQP_URL: 'amqps://u:p@mq.internal/prod' })).toMatchObject({ url: 'amqps://u:p@mq.internal/prod', routingKey: 'hookwarden.{integration}', exchange: 'hooks' });
  });

  it('names the key and never the value when the reference does not hold an AMQP URL', () => {
    expect(() => options('env:AMQP_URL', {})).toThrow('downstream.url: environment variable AMQP_URL is not set');
    let message = '';
    try {
      options('env:AMQP_URL', { AMQP_URL: 'http://u:s3cret@mq' });
    } catch (error) {
      message = String(error);
    }
    expect(message).toContain('downstream.url: does not hold an amqp:// or amqps:// URL');
    expect(message).not.toContain('s3cret');
  });

  it('is refused by the config schema when it is neither a URL nor a reference', () => {
    expect(() => downstream('mq.internal:5672')).toThrow(/downstream\.url: must be an amqp:\/\/ or amqps:\/\/ URL/);
  });
});
