import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createRedisConnection } from '../../../receiver/store/redis/redis-connection.js';
import { RedisOperationError, redactRedisUrl } from '../../../receiver/store/redis/redis-target.js';
import { RedisRateLimiter } from '../../../receiver/store/redis/redis-rate-limiter.js';
import { RedisReplayCache } from '../../../receiver/store/redis/redis-replay-cache.js';
import { RedisStateStore } from '../../../receiver/store/redis/redis-state-store.js';
import { RedisStreamSink } from '../../../receiver/store/redis/redis-stream-sink.js';
import { replayDigest } from '../../../receiver/store/dedupe/replay-digest.js';
import type { ReplayKey } from '../../../receiver/store/replay-cache.js';
import { eventually, useRedisServer } from './redis-fixture.js';

const timed = async (operation: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> => {
  const started = Date.now();
  try {
    await operation();
    return { error: undefined, ms: Date.now() - started };
  } catch (error) {
    return { error, ms: Date.now() - started };
  }
};

/** A loopback port with nothing listening on it. */
const closedPort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 1));
    });
  });

describe('fail-fast Redis connection on a real redis-server', () => {
  const redis = useRedisServer();
  const key = (name: string): ReplayKey => ({ kind: 'id', digest: replayDigest('pay', 'id', name), expiresAt: Date.now() + 60_000 });

  it('rejects at once while Redis is down and serves again once it is back, with the same client', async () => {
    const prefix = redis.prefix();
    const connection = await redis.connect();
    const cache = new RedisReplayCache(connection, prefix, 'test-node');
    const limiter = new RedisRateLimiter(connection, prefix);
    const sink = new RedisStreamSink(connection, { keyPrefix: prefix, maxLen: 100 });
    const state = new RedisStateStore(connection, prefix);
    expect((await cache.claim([key('before')], Date.now())).result).toBe('new');
    await cache.commit([key('before')], Date.now(), 'req-1');
    expect(connection.health()).toEqual({ ok: true });

    await redis.server().kill();
    for (const operation of [
      () => cache.claim([key('during')], Date.now()),
      () => limiter.take('pay', { perSecond: 1, burst: 1 }, Date.now()),
      () => sink.deliver({ seq: 1, requestId: randomUUID(), integrationId: 'pay', receivedAt: 0, query: '', headers: {}, body: Buffer.alloc(0) }),
      () => state.load('pay'),
    ]) {
      const { error, ms } = await timed(operation);
      expect(error).toBeInstanceOf(RedisOperationError);
      expect(ms).toBeLessThan(1500);
    }
    expect(connection.health().ok).toBe(false);
    expect(connection.health().detail).toBeTruthy();

    await redis.server().restart();
    await eventually(() => cache.claim([key('after')], Date.now()), (result) => result.result === 'new', 5000);
    expect(connection.health()).toEqual({ ok: true });
    // The claim made before the crash survived it (append-only file), and the one refused during it left nothing.
    expect((await cache.claim([key('before')], Date.now())).result).toBe('duplicate');
    expect((await cache.claim([key('during')], Date.now())).result).toBe('new');
    cache.close();
  });

  it('rejects a command the server does not answer within the timeout, and releases that claim once the server answers again', async () => {
    const prefix = redis.prefix();
    const connection = await redis.connect({ commandTimeoutMs: 300 });
    const cache = new RedisReplayCache(connection, prefix, 'test-node');
    redis.server().pause();
    try {
      const { error, ms } = await timed(() => cache.claim([key('k')], Date.now()));
      expect(error).toBeInstanceOf(RedisOperationError);
      expect(ms).toBeLessThan(1500);
      // The server may yet run that claim: its keys must not stay behind to turn the retry into a "duplicate".
      expect(cache.pendingRetries).toBe(1);
    } finally {
      redis.server().resume();
    }
    await eventually(() => cache.pendingRetries, (pending) => pending === 0, 10_000);
    await eventually(() => redis.raw().exists(`${prefix}:replay:${key('k').digest.toString('base64url')}`), (count) => count === 0, 2000);
    expect((await eventually(() => cache.claim([key('k')], Date.now()), () => true)).result).toBe('new');
    cache.close();
  });

  it('keeps the password of the URL out of health output and errors', async () => {
    const password = 'hunter2-Secret%21';
    const url = `redis://admin:${password}@127.0.0.1:${await closedPort()}`;
    const connection = createRedisConnection(url, { maxReconnectDelayMs: 100 });
    try {
      await expect(connection.ready(500)).rejects.toThrow(RedisOperationError);
      const { error } = await timed(() => new RedisReplayCache(connection, 'p', 'test-node').claim([key('k')], Date.now()));
      expect(error).toBeInstanceOf(RedisOperationError);
      const health = connection.health();
      expect(health.ok).toBe(false);
      for (const text of [health.detail ?? '', (error as Error).message, connection.redact(new Error(`cannot reach ${url} with hunter2-Secret!`))]) {
        expect(text).not.toContain('hunter2');
      }
      expect(redactRedisUrl(url)).toBe(`redis://***@127.0.0.1:${url.split(':').pop()}`);
    } finally {
      await connection.close();
    }
  });
});
