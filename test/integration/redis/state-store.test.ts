import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { ALL_INTEGRATIONS, RedisStateStore } from '../../../receiver/store/redis/redis-state-store.js';
import { eventually, useRedisServer } from './redis-fixture.js';

/** Every byte value, so that any text conversion on the way would show. */
const binary = (): Buffer => Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(64)]);

describe('RedisStateStore on a real redis-server', () => {
  const redis = useRedisServer();
  const stores: RedisStateStore[] = [];
  // Runs before the fixture's afterAll (hooks unwind in reverse): subscribers go before the server.
  afterAll(async () => {
    for (const created of stores.splice(0)) await created.close();
  });
  const store = async (prefix: string) => {
    const created = new RedisStateStore(await redis.connect(), prefix);
    stores.push(created);
    return created;
  };
  /** Collects what a watcher hears; resolves `subscribed` at the first '*', when the subscription is live. */
  const watcher = (watched: RedisStateStore) => {
    const heard: string[] = [];
    const stop = watched.watch((id) => heard.push(id));
    return { heard, stop, subscribed: eventually(() => heard.includes(ALL_INTEGRATIONS), Boolean) };
  };

  it('stores sealed bytes unchanged and compares versions before every write', async () => {
    const prefix = redis.prefix();
    const state = await store(prefix);
    expect(await state.load('pay')).toBeUndefined();
    const first = binary();
    expect(await state.compareAndSet('pay', 0, { version: 1, sealed: first })).toBe(true);
    expect(await state.compareAndSet('pay', 0, { version: 1, sealed: binary() })).toBe(false);
    const loaded = await state.load('pay');
    expect(loaded?.version).toBe(1);
    expect(loaded?.sealed.equals(first)).toBe(true);
    const second = binary();
    expect(await state.compareAndSet('pay', 2, { version: 3, sealed: second })).toBe(false);
    expect(await state.compareAndSet('pay', 1, { version: 2, sealed: second })).toBe(true);
    expect((await state.load('pay'))?.sealed.equals(second)).toBe(true);
    expect(await redis.raw().hget(`${prefix}:state:pay`, 'version')).toBe('2');
  });

  it('lets exactly one of two nodes win a write from the same version', async () => {
    const prefix = redis.prefix();
    const [one, two] = [await store(prefix), await store(prefix)];
    for (let version = 0; version < 20; version++) {
      const results = await Promise.all([
        one.compareAndSet('pay', version, { version: version + 1, sealed: binary() }),
        two.compareAndSet('pay', version, { version: version + 1, sealed: binary() }),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
    }
  });

  it('loads every stored integration', async () => {
    const prefix = redis.prefix();
    const state = await store(prefix);
    expect((await state.loadAll()).size).toBe(0);
    const pay = binary();
    await state.compareAndSet('pay', 0, { version: 1, sealed: pay });
    await state.compareAndSet('gh', 0, { version: 1, sealed: binary() });
    await state.compareAndSet('gh', 1, { version: 2, sealed: binary() });
    const all = await state.loadAll();
    expect([...all.keys()].sort()).toEqual(['gh', 'pay']);
    expect(all.get('gh')?.version).toBe(2);
    expect(all.get('pay')?.sealed.equals(pay)).toBe(true);
  });

  it("tells a watcher on another connection about a node's write within a second", async () => {
    const prefix = redis.prefix();
    const [writer, reader] = [await store(prefix), await store(prefix)];
    const watch = watcher(reader);
    await watch.subscribed;
    const written = Date.now();
    await writer.compareAndSet('pay', 0, { version: 1, sealed: binary() });
    await eventually(() => watch.heard.includes('pay'), Boolean, 1000);
    expect(Date.now() - written).toBeLessThan(1000);
    // A failed compare-and-set announces nothing.
    await writer.compareAndSet('gh', 5, { version: 6, sealed: binary() });
    await writer.compareAndSet('pay', 1, { version: 2, sealed: binary() });
    await eventually(() => watch.heard.filter((id) => id === 'pay').length === 2, Boolean, 1000);
    expect(watch.heard).not.toContain('gh');
    watch.stop();
  });

  it('stops calling a watcher once it unsubscribed', async () => {
    const prefix = redis.prefix();
    const [writer, reader] = [await store(prefix), await store(prefix)];
    const watch = watcher(reader);
    await watch.subscribed;
    watch.stop();
    const heard = watch.heard.length;
    await writer.compareAndSet('pay', 0, { version: 1, sealed: binary() });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(watch.heard).toHaveLength(heard);
  });

  it("re-syncs every integration after the subscriber reconnects, and hears later writes (Redis restarted)", async () => {
    const prefix = redis.prefix();
    const [writer, reader] = [await store(prefix), await store(prefix)];
    await writer.compareAndSet('pay', 0, { version: 1, sealed: binary() });
    const watch = watcher(reader);
    await watch.subscribed;
    const before = watch.heard.length;

    await redis.server().restart();
    // A write while the subscriber was away is lost as a message: the '*' after the reconnect stands for it.
    await eventually(() => watch.heard.slice(before).includes(ALL_INTEGRATIONS), Boolean, 5000);
    // The append-only file kept the state across the crash.
    expect((await eventually(() => reader.load('pay'), Boolean))?.version).toBe(1);

    await eventually(() => writer.compareAndSet('pay', 1, { version: 2, sealed: binary() }), Boolean);
    await eventually(() => watch.heard.slice(before).includes('pay'), Boolean, 1000);
    watch.stop();
  });
});
