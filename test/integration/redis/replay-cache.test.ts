import { describe, expect, it } from 'vitest';
import { replayDigest } from '../../../receiver/store/dedupe/replay-digest.js';
import { RedisReplayCache } from '../../../receiver/store/redis/redis-replay-cache.js';
import type { ReplayKey } from '../../../receiver/store/replay-cache.js';
import { eventually, useRedisServer } from './redis-fixture.js';

describe('RedisReplayCache on a real redis-server', () => {
  const redis = useRedisServer();
  const now = Date.now();
  const key = (name: string, ttlMs = 60_000): ReplayKey => ({ kind: 'id', digest: replayDigest('pay', 'id', name), expiresAt: now + ttlMs });
  const redisKey = (prefix: string, name: string) => `${prefix}:replay:${replayDigest('pay', 'id', name).toString('base64url')}`;

  it('answers duplicate only for a committed claim, and pending for one whose delivery is not stored yet', async () => {
    const prefix = redis.prefix();
    const cache = new RedisReplayCache(await redis.connect(), prefix, 'test-node');
    const [id, sig] = [key('evt_1'), key('sig_1')];
    expect(await cache.claim([id, sig], now)).toEqual({ result: 'new' });
    expect(await cache.claim([id, sig], now)).toEqual({ result: 'pending', key: id });
    await cache.commit([id, sig], now, 'req-1');
    expect(await cache.claim([id, sig], now)).toEqual({ result: 'duplicate', key: id });
    expect(await cache.claim([key('evt_2'), sig], now)).toEqual({ result: 'duplicate', key: sig });
    // The losing claim of evt_2 set nothing, and the keys are fixed-size digests, not the ids.
    expect(await redis.raw().exists(redisKey(prefix, 'evt_2'))).toBe(0);
    expect(await redis.raw().keys(`${prefix}:*evt*`)).toEqual([]);
  });

  it('claims every key or none', async () => {
    const prefix = redis.prefix();
    const cache = new RedisReplayCache(await redis.connect(), prefix, 'test-node');
    await redis.raw().set(redisKey(prefix, 'b'), 'c');
    expect(await cache.claim([key('a'), key('b'), key('c')], now)).toEqual({ result: 'duplicate', key: key('b') });
    expect(await redis.raw().exists(redisKey(prefix, 'a'), redisKey(prefix, 'c'))).toBe(0);
  });

  it('holds a claim only for its lease until the commit, then for each key\'s window', async () => {
    const prefix = redis.prefix();
    const cache = new RedisReplayCache(await redis.connect(), prefix, 'test-node', { leaseMs: 4_000 });
    const keys = [key('long', 259_200_000), key('short', 600_000)];
    await cache.claim(keys, now);
    const lease = await redis.raw().pttl(redisKey(prefix, 'long'));
    expect(lease).toBeGreaterThan(0);
    expect(lease).toBeLessThanOrEqual(4_000);
    await cache.commit(keys, now, 'req-1');
    const long = await redis.raw().pttl(redisKey(prefix, 'long'));
    const short = await redis.raw().pttl(redisKey(prefix, 'short'));
    expect(long).toBeGreaterThan(259_200_000 - 60_000);
    expect(long).toBeLessThanOrEqual(259_200_000);
    expect(short).toBeGreaterThan(600_000 - 60_000);
    expect(short).toBeLessThanOrEqual(600_000);
  });

  it('lets a claim die with a node that never committed it: once the lease is gone the retry is new', async () => {
    const prefix = redis.prefix();
    const [dead, alive] = [new RedisReplayCache(await redis.connect(), prefix, 'test-node', { leaseMs: 60_000 }), new RedisReplayCache(await redis.connect(), prefix, 'test-node')];
    const keys = [key('evt_dead')];
    expect((await dead.claim(keys, now)).result).toBe('new');
    expect((await alive.claim(keys, now)).result).toBe('pending');
    // The lease running out, without waiting for it: the node that claimed is gone and never commits.
    await redis.raw().pexpire(redisKey(prefix, 'evt_dead'), 1);
    await eventually(() => redis.raw().exists(redisKey(prefix, 'evt_dead')), (count) => count === 0);
    expect((await alive.claim(keys, now)).result).toBe('new');
  });

  it('frees the keys when the delivery could not be stored, so the retry is new', async () => {
    const prefix = redis.prefix();
    const [one, two] = [new RedisReplayCache(await redis.connect(), prefix, 'test-node'), new RedisReplayCache(await redis.connect(), prefix, 'test-node')];
    const keys = [key('x'), key('y')];
    expect((await one.claim(keys, now)).result).toBe('new');
    await one.release(keys);
    expect(await redis.raw().exists(redisKey(prefix, 'x'), redisKey(prefix, 'y'))).toBe(0);
    expect((await two.claim(keys, now)).result).toBe('new');
  });

  it('neither frees nor commits a key that another claim holds by now', async () => {
    const prefix = redis.prefix();
    const [one, two] = [new RedisReplayCache(await redis.connect(), prefix, 'test-node'), new RedisReplayCache(await redis.connect(), prefix, 'test-node')];
    const keys = [key('k')];
    await one.claim(keys, now);
    // The first claim's lease ran out and another node claimed the key since.
    await redis.raw().del(redisKey(prefix, 'k'));
    expect((await two.claim(keys, now)).result).toBe('new');
    await one.release(keys);
    expect(await redis.raw().exists(redisKey(prefix, 'k'))).toBe(1);
    await one.commit(keys, now, 'req-1');
    expect(await redis.raw().get(redisKey(prefix, 'k'))).not.toBe('c');
    // Settling a claim this cache never made touches nothing either.
    await one.release([key('never-claimed')]);
  });

  it('lets exactly one of two caches on two connections win a race for the same keys', async () => {
    const prefix = redis.prefix();
    const [one, two] = [new RedisReplayCache(await redis.connect(), prefix, 'test-node'), new RedisReplayCache(await redis.connect(), prefix, 'test-node')];
    for (let round = 0; round < 100; round++) {
      const results = await Promise.all([one.claim([key(`id${round}`), key(`sig${round}`)], now), two.claim([key(`id${round}`), key(`sig${round}`)], now)]);
      expect(results.map((result) => result.result).sort()).toEqual(['new', 'pending']);
    }
  });

  it('leaves no partial claim when racing claims overlap in one key', async () => {
    const prefix = redis.prefix();
    const [one, two] = [new RedisReplayCache(await redis.connect(), prefix, 'test-node'), new RedisReplayCache(await redis.connect(), prefix, 'test-node')];
    for (let round = 0; round < 50; round++) {
      const [a, b] = await Promise.all([one.claim([key(`x${round}`), key(`shared${round}`)], now), two.claim([key(`shared${round}`), key(`z${round}`)], now)]);
      expect([a.result, b.result].sort()).toEqual(['new', 'pending']);
      const loserOnly = a.result === 'new' ? `z${round}` : `x${round}`;
      expect(await redis.raw().exists(redisKey(prefix, loserOnly))).toBe(0);
    }
  });

  it('settles the claims and commits of one turn in one script each, every claim all-or-none and in order', async () => {
    const prefix = redis.prefix();
    const cache = new RedisReplayCache(await redis.connect(), prefix, 'test-node');
    await redis.raw().set(redisKey(prefix, 'done'), 'c:other-node:req-0');
    // Loads the scripts first: a script new to the server costs a second call (NOSCRIPT, then EVAL).
    await cache.claim([key('warm')], now);
    await cache.commit([key('warm')], now, 'req-warm');
    await cache.claim([key('warm-release')], now);
    await cache.release([key('warm-release')]);
    const scriptsBefore = await redis.scriptCalls();
    // Issued in one turn: one batch. The second claim of `same` meets the first one's lease.
    const results = await Promise.all([
      cache.claim([key('a1'), key('a2')], now),
      cache.claim([key('b1'), key('same')], now),
      cache.claim([key('same'), key('c2')], now),
      cache.claim([key('d1'), key('done')], now),
      cache.claim([key('e1'), key('e2')], now),
    ]);
    expect(await redis.scriptCalls()).toBe(scriptsBefore + 1);
    expect(results).toEqual([
      { result: 'new' },
      { result: 'new' },
      { result: 'pending', key: key('same') },
      { result: 'duplicate', key: key('done') },
      { result: 'new' },
    ]);
    // The losers took none of their keys.
    expect(await redis.raw().exists(redisKey(prefix, 'c2'), redisKey(prefix, 'd1'))).toBe(0);

    await Promise.all([cache.commit([key('a1'), key('a2')], now, 'req-a'), cache.commit([key('b1'), key('same')], now, 'req-b'), cache.release([key('e1'), key('e2')])]);
    expect(await redis.scriptCalls()).toBe(scriptsBefore + 3);
    expect(await redis.raw().mget(redisKey(prefix, 'a1'), redisKey(prefix, 'a2'), redisKey(prefix, 'same'), redisKey(prefix, 'e1'))).toEqual([
      'c:test-node:req-a',
      'c:test-node:req-a',
      'c:test-node:req-b',
      null,
    ]);
    expect(await cache.claim([key('same'), key('c2')], now)).toEqual({ result: 'duplicate', key: key('same') });
  });
});
