import { describe, expect, it } from 'vitest';
import type { ReplayKey } from '../../../receiver/store/delivery-record.js';
import { RedisReplayCache } from '../../../receiver/store/redis/redis-replay-cache.js';
import { useRedisServer } from './redis-fixture.js';

describe('RedisReplayCache on a real redis-server', () => {
  const redis = useRedisServer();
  const now = Date.now();
  const key = (name: string, ttlMs = 60_000): ReplayKey => ({ key: name, expiresAt: now + ttlMs });

  it('claims new keys, then reports the first one already present as seen', async () => {
    const prefix = redis.prefix();
    const cache = new RedisReplayCache(await redis.connect(), prefix);
    const id = key('pay|id|evt_1');
    const sig = key('pay|sig|abc');
    expect(await cache.claim([id, sig], now)).toEqual({ result: 'new' });
    expect(await cache.claim([id, sig], now)).toEqual({ result: 'seen', key: id });
    expect(await cache.claim([key('pay|id|evt_2'), sig], now)).toEqual({ result: 'seen', key: sig });
    expect(await redis.raw().exists(`${prefix}:replay:pay|id|evt_1`, `${prefix}:replay:pay|sig|abc`)).toBe(2);
    // The losing claim of evt_2 set nothing.
    expect(await redis.raw().exists(`${prefix}:replay:pay|id|evt_2`)).toBe(0);
  });

  it('claims every key or none', async () => {
    const prefix = redis.prefix();
    const cache = new RedisReplayCache(await redis.connect(), prefix);
    await redis.raw().set(`${prefix}:replay:b`, 'someone');
    expect(await cache.claim([key('a'), key('b'), key('c')], now)).toEqual({ result: 'seen', key: key('b') });
    expect(await redis.raw().exists(`${prefix}:replay:a`, `${prefix}:replay:c`)).toBe(0);
  });

  it("sets each key's window as its expiry, and keeps the keys once the delivery is stored", async () => {
    const prefix = redis.prefix();
    const cache = new RedisReplayCache(await redis.connect(), prefix);
    const keys = [key('long', 259_200_000), key('short', 600_000)];
    await cache.claim(keys, now);
    await cache.settle(keys, true);
    const long = await redis.raw().pttl(`${prefix}:replay:long`);
    const short = await redis.raw().pttl(`${prefix}:replay:short`);
    expect(long).toBeGreaterThan(259_200_000 - 10_000);
    expect(long).toBeLessThanOrEqual(259_200_000);
    expect(short).toBeGreaterThan(600_000 - 10_000);
    expect(short).toBeLessThanOrEqual(600_000);
    expect((await cache.claim(keys, now)).result).toBe('seen');
  });

  it('frees the keys when the delivery could not be stored, so the retry is new', async () => {
    const prefix = redis.prefix();
    const [one, two] = [new RedisReplayCache(await redis.connect(), prefix), new RedisReplayCache(await redis.connect(), prefix)];
    const keys = [key('id|x'), key('sig|x')];
    expect((await one.claim(keys, now)).result).toBe('new');
    await one.settle(keys, false);
    expect(await redis.raw().exists(`${prefix}:replay:id|x`, `${prefix}:replay:sig|x`)).toBe(0);
    expect((await two.claim(keys, now)).result).toBe('new');
  });

  it('does not free a key that another claim holds by now', async () => {
    const prefix = redis.prefix();
    const [one, two] = [new RedisReplayCache(await redis.connect(), prefix), new RedisReplayCache(await redis.connect(), prefix)];
    const keys = [key('k')];
    await one.claim(keys, now);
    // The first claim's key vanished (e.g. expired) and another node claimed it since.
    await redis.raw().del(`${prefix}:replay:k`);
    expect((await two.claim(keys, now)).result).toBe('new');
    await one.settle(keys, false);
    expect(await redis.raw().exists(`${prefix}:replay:k`)).toBe(1);
    // Settling a claim this cache never made touches nothing either.
    await one.settle([key('never-claimed')], false);
  });

  it('lets exactly one of two caches on two connections win a race for the same keys', async () => {
    const prefix = redis.prefix();
    const [one, two] = [new RedisReplayCache(await redis.connect(), prefix), new RedisReplayCache(await redis.connect(), prefix)];
    for (let round = 0; round < 100; round++) {
      const results = await Promise.all([
        one.claim([key(`id|${round}`), key(`sig|${round}`)], now),
        two.claim([key(`id|${round}`), key(`sig|${round}`)], now),
      ]);
      expect(results.filter((result) => result.result === 'new')).toHaveLength(1);
    }
  });

  it('leaves no partial claim when racing claims overlap in one key', async () => {
    const prefix = redis.prefix();
    const [one, two] = [new RedisReplayCache(await redis.connect(), prefix), new RedisReplayCache(await redis.connect(), prefix)];
    for (let round = 0; round < 50; round++) {
      const [a, b] = await Promise.all([
        one.claim([key(`x${round}`), key(`shared${round}`)], now),
        two.claim([key(`shared${round}`), key(`z${round}`)], now),
      ]);
      expect([a.result, b.result].sort()).toEqual(['new', 'seen']);
      const loserOnly = a.result === 'new' ? `z${round}` : `x${round}`;
      expect(await redis.raw().exists(`${prefix}:replay:${loserOnly}`)).toBe(0);
    }
  });
});
