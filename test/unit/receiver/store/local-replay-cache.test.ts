import type Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../../receiver/observability/logger.js';
import { LocalReplayCache, encodeReplayKeys, type ReplayIndexSources } from '../../../../receiver/store/dedupe/local-replay-cache.js';
import { replayDigest } from '../../../../receiver/store/dedupe/replay-digest.js';
import { replayLogSource } from '../../../../receiver/store/dedupe/replay-log-source.js';
import { ReplaySpill } from '../../../../receiver/store/dedupe/replay-spill.js';
import type { ReplayKey } from '../../../../receiver/store/replay-cache.js';
import { openDatabase } from '../../../../receiver/store/sqlite/open-database.js';
import { tempDir } from '../../../helpers/test-receiver.js';

const NOW = 1_700_000_000_000;
const digest = (value: string) => replayDigest('pay', 'id', value);
const key = (value: string, ttlMs = 60_000): ReplayKey => ({ kind: 'id', digest: digest(value), expiresAt: NOW + ttlMs });

/** A real receiver.db and replay-spill.db in a temporary folder. */
describe('the single node replay cache', () => {
  let directory: string;
  let db: Database.Database;
  let spill: ReplaySpill;
  let seq = 0;
  beforeEach(() => {
    directory = tempDir();
    db = openDatabase({ directory, sync: 'normal' });
    spill = ReplaySpill.open(db, { directory, logger: silentLogger, maxFilterKeys: 1_000_000 });
    seq = 0;
  });
  afterEach(async () => {
    await spill.close();
    if (db.open) db.close();
    rmSync(directory, { recursive: true, force: true });
  });
  const store = (keys: readonly ReplayKey[], at = ++seq) =>
    db.prepare('INSERT INTO replay_log (seq, until, keys) VALUES (?, ?, ?)').run(at, Math.max(...keys.map((stored) => stored.expiresAt)), encodeReplayKeys(keys));
  const sources = (now = () => NOW): ReplayIndexSources => ({ log: replayLogSource(db), spill, now, logger: silentLogger });
  /** Claims and commits a delivery as the ingress does, its row stored in the log first; retries while the index waits for a spill. */
  const accept = async (cache: LocalReplayCache, keys: readonly ReplayKey[]) => {
    await vi.waitFor(async () => expect((await cache.claim(keys, NOW)).result).toBe('new'), { timeout: 30_000, interval: 1 });
    store(keys);
    cache.commit(keys, NOW);
  };

  it('lets a claim made while the log loads wait for the whole index: a committed key is a duplicate, never new', async () => {
    const cache = new LocalReplayCache(1000);
    const early = [cache.claim([key('evt_1')], NOW), cache.claim([key('fresh')], NOW)];
    expect(cache.status).toBe('loading');
    store([key('evt_1'), key('expired', -1)]);
    store([key('gone', -1)]);
    await cache.load(sources());
    expect(cache.status).toBe('loaded');
    expect(await Promise.all(early)).toEqual([{ result: 'duplicate', key: key('evt_1') }, { result: 'new' }]);
    expect(cache.stats.keys).toBe(2);
    expect(await cache.claim([key('evt_1')], NOW)).toEqual({ result: 'duplicate', key: key('evt_1') });
    expect(await cache.claim([key('expired')], NOW)).toEqual({ result: 'new' });
    expect(await cache.claim([key('gone')], NOW)).toEqual({ result: 'new' });
  });

  it('answers unavailable past a thousand waiting claims, and to every claim once the load failed', async () => {
    const cache = new LocalReplayCache(1000);
    const waiting = Array.from({ length: 1_000 }, (_, i) => cache.claim([key(`w${i}`)], NOW));
    expect(await cache.claim([key('one too many')], NOW)).toEqual({ result: 'unavailable', detail: 'the replay index is still loading' });
    const loading = sources();
    db.close(); // the store gone under the load
    await expect(cache.load(loading)).rejects.toThrow();
    expect(cache.status).toBe('failed');
    expect(new Set((await Promise.all(waiting)).map((answer) => answer.result))).toEqual(new Set(['unavailable']));
    expect(await cache.claim([key('later')], NOW)).toEqual({ result: 'unavailable', detail: 'loading the replay index failed' });
  });

  it('loads every live key of a log spread over slices and gaps, zero bytes in digests included, keeping the later expiry of a key stored twice', async () => {
    const zeroes: ReplayKey = { kind: 'sig', digest: Buffer.alloc(16), expiresAt: NOW + 60_000 };
    const stored = Array.from({ length: 3_000 }, (_, i) => key(`evt_${i}`));
    store([zeroes], -1_000_000_000);
    stored.forEach((live, i) => store([live, key(`old_${i}`, -1)], 1 + i * 397));
    store([key('evt_7', 120_000)], 2_000_000);
    // One generation of memory (a quarter of the bound) takes them all: the key stored twice is counted once.
    const cache = new LocalReplayCache(20_000);
    await cache.load(sources());
    expect(cache.stats.keys).toBe(3_001);
    const answers = await Promise.all([zeroes, ...stored].map(async (live) => (await cache.claim([live], NOW)).result));
    expect(answers.filter((answer) => answer !== 'duplicate')).toEqual([]);
    expect(await cache.claim([key('evt_7')], NOW + 90_000)).toEqual({ result: 'duplicate', key: key('evt_7') });
    expect(await cache.claim([key('evt_8')], NOW + 90_000)).toEqual({ result: 'new' });
  });

  it('loads a log of more live keys than memory takes: the newest into memory, the rest to disk first, and every one is a duplicate', async () => {
    const stored = Array.from({ length: 5_000 }, (_, i) => key(`evt_${i}`));
    // One row a slice of the load (10,000 seqs), so that memory can take the newest rows and leave the rest.
    for (let i = 0; i < stored.length; i += 10) store(stored.slice(i, i + 10), 1 + i * 1_000);
    const cache = new LocalReplayCache(1_000);
    await cache.load(sources());
    expect(cache.stats.keys).toBeLessThanOrEqual(750);
    expect(cache.stats.spilledKeys).toBeGreaterThanOrEqual(4_250);
    const answers = await Promise.all(stored.map(async (live) => (await cache.claim([live], NOW)).result));
    expect(answers.filter((answer) => answer !== 'duplicate')).toEqual([]);
    expect(await cache.claim([key('new')], NOW)).toEqual({ result: 'new' });
    expect(await cache.claim([key('evt_1')], NOW + 60_000)).toEqual({ result: 'new' });
  });

  it('takes a stream of deliveries many times its bound, moving the oldest keys to disk, and forgets none of them, before or after a restart', async () => {
    const cache = new LocalReplayCache(1_000);
    await cache.load(sources());
    const accepted = Array.from({ length: 4_000 }, (_, i) => [key(`id_${i}`), key(`sig_${i}`)]);
    for (const keys of accepted) await accept(cache, keys);
    expect(cache.stats.keys).toBeLessThanOrEqual(1_000);
    const duplicates = async (answering: LocalReplayCache) =>
      (await Promise.all(accepted.map(async ([id]) => (await answering.claim([id as ReplayKey], NOW)).result))).filter((answer) => answer === 'duplicate').length;
    expect(await duplicates(cache)).toBe(4_000);

    await spill.close();
    spill = ReplaySpill.open(db, { directory, logger: silentLogger, maxFilterKeys: 1_000_000 });
    const restarted = new LocalReplayCache(1_000);
    await restarted.load(sources());
    expect(restarted.stats.keys).toBeLessThanOrEqual(750);
    // No extend was needed at start: the spill's filter is made in the background.
    await vi.waitFor(() => expect(spill.filterBytes).toBeGreaterThan(0), { timeout: 30_000 });
    expect(await duplicates(restarted)).toBe(4_000);
  });

  it('claims all keys or none, answers pending while a claim is not committed, and forgets a released claim', async () => {
    const cache = new LocalReplayCache(1000);
    await cache.load(sources());
    expect(await cache.claim([key('id'), key('sig')], NOW)).toEqual({ result: 'new' });
    expect(await cache.claim([key('other'), key('sig')], NOW)).toEqual({ result: 'pending', key: key('sig') });
    expect(await cache.claim([key('other')], NOW)).toEqual({ result: 'new' });
    await cache.release([key('id'), key('sig')]);
    expect(await cache.claim([key('id'), key('sig')], NOW)).toEqual({ result: 'new' });
    cache.commit([key('id'), key('sig')], NOW);
    expect(await cache.claim([key('sig')], NOW)).toEqual({ result: 'duplicate', key: key('sig') });
  });

  it('finishes a growth of its index in turns of the loop with no further calls, keeping every key', async () => {
    const cache = new LocalReplayCache(1_000_000);
    await cache.load(sources());
    const keys: ReplayKey[] = [];
    let before = cache.stats.bytes;
    // Claimed and committed one at a time until a commit starts a growth: the old table is then still held.
    while (cache.stats.bytes === before) {
      before = cache.stats.bytes;
      const next = key(`k${keys.length}`);
      keys.push(next);
      expect(await cache.claim([next], NOW)).toEqual({ result: 'new' });
      cache.commit([next], NOW);
    }
    // What stays once the smallest table (1,024 slots of 16 bytes) the growth began from is drained and given back.
    const drained = cache.stats.bytes - 16 * 1024;
    for (let turn = 0; turn < 1_000 && cache.stats.bytes !== drained; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(cache.stats.bytes).toBe(drained);
    for (const stored of keys) expect(await cache.claim([stored], NOW)).toEqual({ result: 'duplicate', key: stored });
  });

  it('answers unavailable rather than forget while memory is full and its oldest keys are not on disk yet', async () => {
    const cache = new LocalReplayCache(4);
    await cache.load(sources());
    // Nothing copies the log to disk while the claims are judged: the spill runs in a thread, and nothing here awaits it.
    for (const value of ['a', 'b', 'c', 'd']) {
      expect((await cache.claim([key(value)], NOW)).result).toBe('new');
      cache.commit([key(value)], NOW);
    }
    expect(await cache.claim([key('e')], NOW)).toEqual({
      result: 'unavailable',
      detail: 'the replay index is full (storage.dedupeIndexMaxKeys = 4) until its oldest keys are on disk',
    });
  });

  it('does not copy keys to disk, nor log a failure, for the last commits of a node whose spill closed: it is stopping', async () => {
    const errors: string[] = [];
    const cache = new LocalReplayCache(4);
    await cache.load({ ...sources(), logger: { ...silentLogger, error: (message) => errors.push(message) } });
    await spill.close();
    for (const value of ['a', 'b', 'c', 'd']) {
      expect((await cache.claim([key(value)], NOW)).result).toBe('new');
      store([key(value)]);
      cache.commit([key(value)], NOW);
    }
    // A failed extend would be reported a turn later.
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).toEqual([]);
  });
});
