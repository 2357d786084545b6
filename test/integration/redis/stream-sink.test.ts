import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RedisStreamSink } from '../../../receiver/store/redis/redis-stream-sink.js';
import type { OutboxEntry } from '../../../receiver/sinks/delivery-sink.js';
import { useRedisServer } from './redis-fixture.js';

const entry = (overrides: Partial<OutboxEntry> = {}): OutboxEntry => ({
  seq: 1,
  requestId: randomUUID(),
  integrationId: 'pay',
  receivedAt: 1_700_000_000_123,
  query: '?attempt=2',
  headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=abc' },
  body: Buffer.from('{"id":"evt_1"}'),
  ...overrides,
});

describe('RedisStreamSink on a real redis-server', () => {
  const redis = useRedisServer();

  it('appends one entry with the documented fields, the body as raw bytes', async () => {
    const prefix = redis.prefix();
    const sink = new RedisStreamSink(await redis.connect(), { keyPrefix: prefix, maxLen: 1000 });
    const body = Buffer.concat([Buffer.from([0, 0xff, 0xfe, 0x80]), randomBytes(32)]);
    const delivery = entry({ body });
    await sink.deliver(delivery);

    const entries = await redis.raw().xrangeBuffer(`${prefix}:stream:pay`, '-', '+');
    expect(entries).toHaveLength(1);
    const fields = entries[0]?.[1] ?? [];
    const text = fields.map((field) => field.toString());
    expect(text.filter((_, index) => index % 2 === 0)).toEqual(['requestId', 'integrationId', 'receivedAt', 'query', 'headers', 'body']);
    expect(text.slice(0, 10)).toEqual([
      'requestId', delivery.requestId,
      'integrationId', 'pay',
      'receivedAt', '1700000000123',
      'query', '?attempt=2',
      'headers', JSON.stringify(delivery.headers),
    ]);
    expect(fields[11]?.equals(body)).toBe(true);
  });

  it('adds nothing for a request id it appended before, also when repeats race on two connections', async () => {
    const prefix = redis.prefix();
    const [one, two] = [
      new RedisStreamSink(await redis.connect(), { keyPrefix: prefix, maxLen: 1000 }),
      new RedisStreamSink(await redis.connect(), { keyPrefix: prefix, maxLen: 1000 }),
    ];
    const delivery = entry();
    const first = await one.append(delivery);
    expect(first.added).toBe(true);
    expect(await two.append(delivery)).toEqual({ id: first.id, added: false });
    await one.deliver(delivery);

    const racing = entry();
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? one : two).append(racing)));
    expect(results.filter((result) => result.added)).toHaveLength(1);
    expect(new Set(results.map((result) => result.id)).size).toBe(1);

    expect(await redis.raw().xlen(`${prefix}:stream:pay`)).toBe(2);
    expect(await redis.raw().get(`${prefix}:streamed:${delivery.requestId}`)).toBe(first.id);
    const ttl = await redis.raw().pttl(`${prefix}:streamed:${delivery.requestId}`);
    expect(ttl).toBeGreaterThan(7 * 86_400_000 - 60_000);
    expect(ttl).toBeLessThanOrEqual(7 * 86_400_000);
  });

  it('keeps one stream per integration', async () => {
    const prefix = redis.prefix();
    const sink = new RedisStreamSink(await redis.connect(), { keyPrefix: prefix, maxLen: 1000 });
    await sink.deliver(entry({ integrationId: 'pay' }));
    await sink.deliver(entry({ integrationId: 'gh' }));
    await sink.deliver(entry({ integrationId: 'gh' }));
    expect(await redis.raw().xlen(`${prefix}:stream:pay`)).toBe(1);
    expect(await redis.raw().xlen(`${prefix}:stream:gh`)).toBe(2);
  });

  it('trims the stream to about maxLen', async () => {
    const prefix = redis.prefix();
    const sink = new RedisStreamSink(await redis.connect(), { keyPrefix: prefix, maxLen: 10 });
    for (let i = 0; i < 400; i++) await sink.deliver(entry());
    const length = await redis.raw().xlen(`${prefix}:stream:pay`);
    expect(length).toBeGreaterThanOrEqual(10);
    // `~` trims whole radix-tree nodes (100 entries by default), never below maxLen.
    expect(length).toBeLessThan(200);
  });

  it('appends a batch in order with one script, skipping the request ids appended before', async () => {
    const prefix = redis.prefix();
    const sink = new RedisStreamSink(await redis.connect(), { keyPrefix: prefix, maxLen: 1000 });
    const before = entry({ integrationId: 'gh' });
    await sink.deliver(before);
    const batch = [entry(), before, entry({ integrationId: 'gh', body: Buffer.from([0, 0xff]) }), entry()];
    const scripts = await redis.scriptCalls();
    await sink.deliverAll(batch);
    expect(await redis.scriptCalls()).toBe(scripts + 1);

    const pay = await redis.raw().xrangeBuffer(`${prefix}:stream:pay`, '-', '+');
    const gh = await redis.raw().xrangeBuffer(`${prefix}:stream:gh`, '-', '+');
    const requestIds = (entries: typeof pay) => entries.map(([, fields]) => fields[1]?.toString());
    expect(requestIds(pay)).toEqual([batch[0]?.requestId, batch[3]?.requestId]);
    expect(requestIds(gh)).toEqual([before.requestId, batch[2]?.requestId]);
    expect(gh[1]?.[1][11]?.equals(Buffer.from([0, 0xff]))).toBe(true);
    // A batch sent again (its outbox commit failed) adds nothing.
    await sink.deliverAll(batch);
    expect(await redis.raw().xlen(`${prefix}:stream:pay`)).toBe(2);
    expect(await redis.raw().xlen(`${prefix}:stream:gh`)).toBe(2);
  });
});
