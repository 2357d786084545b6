import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DedupeIndex } from '../../../../receiver/store/dedupe/dedupe-index.js';
import { LocalReplayCache, encodeReplayKeys } from '../../../../receiver/store/dedupe/local-replay-cache.js';
import { replayDigest } from '../../../../receiver/store/dedupe/replay-digest.js';
import { replayLogSource } from '../../../../receiver/store/dedupe/replay-log-source.js';
import type { ReplayKey } from '../../../../receiver/store/replay-cache.js';
import { migrate } from '../../../../receiver/store/sqlite/schema.js';

const NOW = 1_700_000_000_000;
const digest = (value: string) => replayDigest('pay', 'id', value);
const key = (value: string, ttlMs = 60_000): ReplayKey => ({ kind: 'id', digest: digest(value), expiresAt: NOW + ttlMs });

describe('replay digests', () => {
  it('are the first 16 bytes of sha256 over integration, kind and value (UTF-8), as stored by earlier versions', () => {
    for (const value of ['msg_1', 'v1,ü€😀', '']) {
      const expected = createHash('sha256').update(`pay\u0000sig\u0000${value}`, 'utf8').digest().subarray(0, 16);
      expect(replayDigest('pay', 'sig', value).equals(expected)).toBe(true);
    }
  });
});

describe('the in-memory dedupe index', () => {
  it('tells pending from committed, and forgets a key once its window has passed', () => {
    const index = new DedupeIndex(100);
    expect(index.add(digest('a'), NOW + 1000, false, NOW)).toBe(true);
    expect(index.lookup(digest('a'), NOW)).toBe('pending');
    index.add(digest('a'), NOW + 1000, true, NOW);
    expect(index.lookup(digest('a'), NOW + 999)).toBe('committed');
    expect(index.lookup(digest('a'), NOW + 1000)).toBe('absent');
    expect(index.size).toBe(0);
  });

  it('keeps every key through growth and removals', () => {
    const index = new DedupeIndex(1_000_000);
    for (let i = 0; i < 50_000; i++) index.add(digest(`k${i}`), NOW + 60_000, true, NOW);
    // 16-byte slots, a table grown by half once its keys pass 62.5 % of it: between 20 and 30 bytes a key.
    expect(index.bytes / index.size).toBeLessThanOrEqual(31);
    for (let i = 0; i < 50_000; i += 2) index.remove(digest(`k${i}`), NOW);
    const wrong = Array.from({ length: 50_000 }, (_, i) => i).filter((i) => index.lookup(digest(`k${i}`), NOW) !== (i % 2 === 0 ? 'absent' : 'committed'));
    expect(wrong).toEqual([]);
    expect(index.size).toBe(25_000);
  });

  it('sizes a reserved table for its keys at 62.5 % full and never grows past its bound, keeping every key through tombstones', () => {
    const index = new DedupeIndex(20_000);
    index.reserve(16_000, NOW);
    expect(index.bytes).toBe(16 * 25_600);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 20_000; i++) expect(index.add(digest(`r${round}k${i}`), NOW + 60_000, true, NOW)).toBe(true);
      expect(index.add(digest(`r${round}over`), NOW + 60_000, true, NOW)).toBe(false);
      expect(index.bytes).toBeLessThanOrEqual(16 * 32_000);
      const lost = Array.from({ length: 20_000 }, (_, i) => i).filter((i) => index.lookup(digest(`r${round}k${i}`), NOW) !== 'committed');
      expect(lost).toEqual([]);
      for (let i = 0; i < 20_000; i++) index.remove(digest(`r${round}k${i}`), NOW);
      expect(index.size).toBe(0);
    }
  });

  it('remembers a key until its expiry rounded up to the second, never less, and keeps its later expiry when the log holds it twice', () => {
    const index = new DedupeIndex(100);
    index.add(digest('a'), NOW + 1500, true, NOW);
    expect(index.lookup(digest('a'), NOW + 1499)).toBe('committed');
    expect(index.lookup(digest('a'), NOW + 2000)).toBe('absent');
    const stored = encodeReplayKeys([key('b', 5_000), key('b', 9_000), key('b', 7_000), key('gone', 0)]);
    expect(index.addStored(stored, NOW)).toBe(0);
    expect(index.lookup(digest('b'), NOW + 8_999)).toBe('committed');
    expect(index.lookup(digest('gone'), NOW)).toBe('absent');
    expect(index.size).toBe(1);
  });

  it('refuses a key past its bound instead of forgetting one inside its window, and takes keys again as they expire', () => {
    const index = new DedupeIndex(3);
    for (const value of ['a', 'b', 'c']) expect(index.add(digest(value), NOW + 1000, true, NOW)).toBe(true);
    expect(index.add(digest('d'), NOW + 1000, true, NOW)).toBe(false);
    for (const value of ['a', 'b', 'c']) expect(index.lookup(digest(value), NOW)).toBe('committed');
    expect(index.add(digest('d'), NOW + 5000, true, NOW + 2000)).toBe(true);
  });
});

describe('the single node replay cache', () => {
  let db: Database.Database;
  beforeEach(() => {
    db = new Database(':memory:');
    migrate(db);
  });
  afterEach(() => db.close());
  const store = (seq: number, keys: readonly ReplayKey[]) =>
    db.prepare('INSERT INTO replay_log (seq, until, keys) VALUES (?, ?, ?)').run(seq, Math.max(...keys.map((stored) => stored.expiresAt)), encodeReplayKeys(keys));

  it('lets a claim made while the log loads wait for the whole index: a committed key is a duplicate, never new', async () => {
    const cache = new LocalReplayCache(1000);
    const early = [cache.claim([key('evt_1')], NOW), cache.claim([key('fresh')], NOW)];
    expect(cache.status).toBe('loading');
    store(1, [key('evt_1'), key('expired', -1)]);
    store(2, [key('gone', -1)]);
    await cache.load(replayLogSource(db), () => NOW);
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
    const source = replayLogSource(db);
    db.close(); // the store gone under the load
    await expect(cache.load(source, () => NOW)).rejects.toThrow();
    expect(cache.status).toBe('failed');
    expect(new Set((await Promise.all(waiting)).map((answer) => answer.result))).toEqual(new Set(['unavailable']));
    expect(await cache.claim([key('later')], NOW)).toEqual({ result: 'unavailable', detail: 'loading the replay index failed' });
    db = new Database(':memory:');
  });

  it('loads every live key of a log spread over slices and gaps, zero bytes in digests included, keeping the later expiry of a key stored twice', async () => {
    const zeroes: ReplayKey = { kind: 'sig', digest: Buffer.alloc(16), expiresAt: NOW + 60_000 };
    const stored = Array.from({ length: 3_000 }, (_, i) => key(`evt_${i}`));
    store(-1_000_000_000, [zeroes]);
    stored.forEach((live, i) => store(1 + i * 397, [live, key(`old_${i}`, -1)]));
    store(2_000_000, [key('evt_7', 120_000)]);
    const cache = new LocalReplayCache(10_000);
    await cache.load(replayLogSource(db), () => NOW);
    expect(cache.stats.keys).toBe(3_001);
    const answers = await Promise.all([zeroes, ...stored].map(async (live) => (await cache.claim([live], NOW)).result));
    expect(answers.filter((answer) => answer !== 'duplicate')).toEqual([]);
    expect(await cache.claim([key('evt_7')], NOW + 90_000)).toEqual({ result: 'duplicate', key: key('evt_7') });
    expect(await cache.claim([key('evt_8')], NOW + 90_000)).toEqual({ result: 'new' });
  });

  it('refuses to load a log with more live keys than its bound rather than forget some', async () => {
    store(1, [key('a'), key('b'), key('c')]);
    const cache = new LocalReplayCache(2);
    await expect(cache.load(replayLogSource(db), () => NOW)).rejects.toThrow(/storage.dedupeIndexMaxKeys \(2\)/);
    expect(cache.status).toBe('failed');
  });

  it('claims all keys or none, answers pending while a claim is not committed, and forgets a released claim', async () => {
    const cache = new LocalReplayCache(1000);
    await cache.load(replayLogSource(db), () => NOW);
    expect(await cache.claim([key('id'), key('sig')], NOW)).toEqual({ result: 'new' });
    expect(await cache.claim([key('other'), key('sig')], NOW)).toEqual({ result: 'pending', key: key('sig') });
    expect(await cache.claim([key('other')], NOW)).toEqual({ result: 'new' });
    await cache.release([key('id'), key('sig')]);
    expect(await cache.claim([key('id'), key('sig')], NOW)).toEqual({ result: 'new' });
    await cache.commit([key('id'), key('sig')], NOW);
    expect(await cache.claim([key('sig')], NOW)).toEqual({ result: 'duplicate', key: key('sig') });
  });

  it('answers unavailable rather than forget when the index is full', async () => {
    const cache = new LocalReplayCache(2);
    await cache.load(replayLogSource(db), () => NOW);
    expect((await cache.claim([key('a'), key('b')], NOW)).result).toBe('new');
    expect((await cache.claim([key('c')], NOW)).result).toBe('unavailable');
  });
});
