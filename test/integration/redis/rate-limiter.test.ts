import { describe, expect, it } from 'vitest';
import { RedisRateLimiter } from '../../../receiver/store/redis/redis-rate-limiter.js';
import { useRedisServer } from './redis-fixture.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('RedisRateLimiter on a real redis-server', () => {
  const redis = useRedisServer();

  it('allows the burst, then answers with Retry-After seconds', async () => {
    const limiter = new RedisRateLimiter(await redis.connect(), redis.prefix());
    const limit = { perSecond: 1, burst: 3 };
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) waits.push(await limiter.take('pay', limit, Date.now()));
    expect(waits.slice(0, 3)).toEqual([0, 0, 0]);
    expect(waits[3]).toBe(1);
    expect(waits[4]).toBeGreaterThanOrEqual(1);
  });

  it('refills at the configured rate', async () => {
    const limiter = new RedisRateLimiter(await redis.connect(), redis.prefix());
    const limit = { perSecond: 10, burst: 2 };
    expect(await limiter.take('pay', limit, 0)).toBe(0);
    expect(await limiter.take('pay', limit, 0)).toBe(0);
    expect(await limiter.take('pay', limit, 0)).toBeGreaterThan(0);
    await sleep(250); // 10 per second: two and a half tokens' worth, capped at the burst of 2
    expect(await limiter.take('pay', limit, 0)).toBe(0);
    expect(await limiter.take('pay', limit, 0)).toBe(0);
    expect(await limiter.take('pay', limit, 0)).toBeGreaterThan(0);
  });

  it('shares one bucket between limiters on two connections, whatever their clocks say', async () => {
    const prefix = redis.prefix();
    const [one, two] = [new RedisRateLimiter(await redis.connect(), prefix), new RedisRateLimiter(await redis.connect(), prefix)];
    const limit = { perSecond: 1, burst: 4 };
    const waits: number[] = [];
    // Node one's clock is an hour behind node two's: Redis' TIME decides, not the caller's `now`.
    for (let i = 0; i < 8; i++) waits.push(await (i % 2 === 0 ? one.take('pay', limit, Date.now() - 3_600_000) : two.take('pay', limit, Date.now())));
    expect(waits.filter((wait) => wait === 0)).toHaveLength(4);
  });

  it('grants exactly the burst to concurrent takes from two nodes', async () => {
    const prefix = redis.prefix();
    const [one, two] = [new RedisRateLimiter(await redis.connect(), prefix), new RedisRateLimiter(await redis.connect(), prefix)];
    const limit = { perSecond: 1, burst: 10 };
    const waits = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? one : two).take('pay', limit, Date.now())));
    expect(waits.filter((wait) => wait === 0)).toHaveLength(10);
  });

  it('keeps separate buckets per key, under its prefix, expiring once they would be full again', async () => {
    const prefix = redis.prefix();
    const limiter = new RedisRateLimiter(await redis.connect(), prefix);
    const limit = { perSecond: 2, burst: 1 };
    expect(await limiter.take('pay|203.0.113.9', limit, 0)).toBe(0);
    expect(await limiter.take('pay|203.0.113.9', limit, 0)).toBeGreaterThan(0);
    expect(await limiter.take('pay|198.51.100.7', limit, 0)).toBe(0);
    const ttl = await redis.raw().pttl(`${prefix}:rate:pay|203.0.113.9`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1500); // burst / perSecond = 0.5 s, plus a second of margin
  });

  it('takes the tokens of one turn in one script, in order, granting exactly the burst', async () => {
    const limiter = new RedisRateLimiter(await redis.connect(), redis.prefix());
    const limit = { perSecond: 1, burst: 5 };
    // Loads the script first: a script new to the server costs a second call (NOSCRIPT, then EVAL).
    await limiter.take('warm', limit, 0);
    const before = await redis.scriptCalls();
    const waits = await Promise.all([
      ...Array.from({ length: 8 }, () => limiter.take('pay', limit, 0)),
      limiter.take('other', limit, 0),
    ]);
    expect(await redis.scriptCalls()).toBe(before + 1);
    expect(waits.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(waits.slice(5, 8).every((wait) => wait >= 1)).toBe(true);
    expect(waits[8]).toBe(0);
  });
});
