import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DedupeIndex, SLOTS_MOVED_PER_CALL } from '../../../../receiver/store/dedupe/dedupe-index.js';
import { LocalReplayCache, encodeReplayKeys } from '../../../../receiver/store/dedupe/local-replay-cache.js';
import { replayDigest } from '../../../../receiver/store/dedupe/replay-digest.js';
import { replayLogSource } from '../../../../receiver/store/dedupe/replay-log-source.js';
import type { ReplayKey } from '../../../../receiver/store/replay-cache.js';
import { migrate } from '../../../../receiver/store/sqlite/schema.js';

const NOW = 1_700_000_000_000;
const digest = (value: string) => replayDigest('pay', 'id', value);
const key = (value: string, ttlMs = 60_000): ReplayKey => ({ kind: 'id', digest: digest(value), expiresAt: NOW + ttlMs });
/** Lookups of a key never added, until the old table of a resize or sweep has been moved over. */
const settle = (index: DedupeIndex, now = NOW) => {
  while (index.slotsToMigrate > 0) index.lookup(digest('never added'), now);
};

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
    settle(index);
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
      settle(index);
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

  it('refuses a key past its bound instead of forgetting one inside its window, and takes keys again once a sweep passes the expired ones', () => {
    const index = new DedupeIndex(3);
    for (const value of ['a', 'b', 'c']) expect(index.add(digest(value), NOW + 1000, true, NOW)).toBe(true);
    expect(index.add(digest('d'), NOW + 1000, true, NOW)).toBe(false);
    for (const value of ['a', 'b', 'c']) expect(index.lookup(digest(value), NOW)).toBe('committed');
    // The smallest table has 1024 slots: a sweep started by the refused add passes them all within 1024 / 8 calls.
    const answers = Array.from({ length: 1024 / SLOTS_MOVED_PER_CALL + 1 }, () => index.add(digest('d'), NOW + 5000, true, NOW + 2000));
    expect(answers).toContain(true);
    expect(index.lookup(digest('d'), NOW + 2000)).toBe('committed');
  });

  it('at its bound, frees the room of expired keys a few slots a call, and refuses again once full of live keys', () => {
    const index = new DedupeIndex(20_000);
    // Odd keys live a minute, even ones ten seconds.
    for (let i = 0; i < 20_000; i++) expect(index.add(digest(`old${i}`), NOW + (i % 2 === 0 ? 10_000 : 60_000), true, NOW)).toBe(true);
    expect(index.add(digest('over'), NOW + 60_000, true, NOW)).toBe(false);
    const later = NOW + 10_000;
    let admitted = 0;
    let calls = 0;
    while (admitted < 10_000) {
      const before = index.slotsToMigrate;
      if (index.add(digest(`new${admitted}`), later + 60_000, false, later)) admitted++;
      expect(before - index.slotsToMigrate).toBeLessThanOrEqual(SLOTS_MOVED_PER_CALL);
      // At most 32,000 slots (20,000 keys at 62.5 %) to sweep, and a call admits at most one key.
      expect(++calls).toBeLessThanOrEqual(32_000 / SLOTS_MOVED_PER_CALL + 10_000);
    }
    expect(index.add(digest('over'), later + 60_000, true, later)).toBe(false);
    expect(index.size).toBe(20_000);
    const wrong = Array.from({ length: 20_000 }, (_, i) => i).filter(
      (i) => index.lookup(digest(`old${i}`), later) !== (i % 2 === 0 ? 'absent' : 'committed') || (i < 10_000 && index.lookup(digest(`new${i}`), later) !== 'pending'),
    );
    expect(wrong).toEqual([]);
    expect(index.bytes).toBeLessThanOrEqual(2 * 16 * 32_000);
  });

  it('finds every key it holds, in its state, at every step through growths (long windows), moving at most a few slots a call', () => {
    const run = churn({ steps: 30_000, windowSeconds: 1_000, tickChance: 0.01, removeChance: 0.1 });
    expect(run.wrong).toEqual([]);
    expect(run.migrations.growths).toBeGreaterThanOrEqual(5);
  });

  it('finds every key it holds, in its state, at every step through sweeps (removes keeping pace with adds), moving at most a few slots a call', () => {
    const run = churn({ steps: 30_000, windowSeconds: 1_000, tickChance: 0.01, removeChance: 0.4 });
    expect(run.wrong).toEqual([]);
    expect(run.migrations.sweeps).toBeGreaterThanOrEqual(5);
  });
});

/**
 * Random adds (pending or committed), overwrites, removes (`removeChance` a step), lookups and stored
 * rows against a Map model, the clock ticking a second at `tickChance` a step; expiries and clock in whole seconds after
 * the first `now`, so the index's rounding up is exact. Every key touched is looked up right after,
 * every key of the model every 5,000 steps. Returns what differed from the model, or moved more
 * slots in one call than allowed, and the resizes and sweeps seen start.
 */
function churn({ steps, windowSeconds, tickChance, removeChance }: { steps: number; windowSeconds: number; tickChance: number; removeChance: number }) {
  const random = seeded(6);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const index = new DedupeIndex(1_000_000);
  const model = new Map<string, { expiresAt: number; committed: boolean }>();
  const wrong: string[] = [];
  const migrations = { growths: 0, sweeps: 0, finished: 0 };
  let now = NOW;
  let created = 0;
  /** The model's keys (expired ones included), and the keys removed: a lookup of one checks that it stays gone. */
  const known: string[] = [];
  const gone: string[] = [];
  /** Runs one call and checks it moved at most its share of slots: a new migration may start in it, not run in one go. */
  const call = (keys: number, run: () => void) => {
    const before = index.slotsToMigrate;
    const bytes = index.bytes;
    run();
    const after = index.slotsToMigrate;
    if (before > 0 && after === 0) migrations.finished++;
    if (after > before) {
      // A migration starts with all of the table it replaces to move (the newer table held before the call), less what the call's later keys moved.
      const replaced = bytes / 16 - before;
      if (after > replaced || replaced - after > SLOTS_MOVED_PER_CALL * (keys - 1)) wrong.push(`a migration started with ${after} slots to move in a table of ${replaced}`);
      if (index.bytes / 16 - after > after) migrations.growths++;
      else migrations.sweeps++;
    } else if (before - after > SLOTS_MOVED_PER_CALL * keys) wrong.push(`one call moved ${before - after} slots`);
  };
  const expectState = (value: string) => {
    const entry = model.get(value);
    const expected = entry === undefined || entry.expiresAt <= now ? 'absent' : entry.committed ? 'committed' : 'pending';
    call(1, () => {
      const found = index.lookup(digest(value), now);
      if (found !== expected) wrong.push(`${value}: ${found}, not ${expected}`);
    });
  };
  const expiry = () => now + 1000 * (1 + Math.floor(random() * windowSeconds));
  for (let step = 0; step < steps; step++) {
    const roll = random();
    if (roll < 0.4 || known.length === 0) {
      const value = `m${created++}`;
      const entry = { expiresAt: expiry(), committed: random() < 0.5 };
      call(1, () => index.add(digest(value), entry.expiresAt, entry.committed, now));
      model.set(value, entry);
      known.push(value);
      expectState(value);
    } else if (roll < 0.5) {
      const value = pick(known);
      const entry = { expiresAt: expiry(), committed: random() < 0.5 };
      call(1, () => index.add(digest(value), entry.expiresAt, entry.committed, now));
      model.set(value, entry);
      expectState(value);
    } else if (roll < 0.5 + removeChance) {
      const at = Math.floor(random() * known.length);
      const value = known[at] as string;
      known[at] = known[known.length - 1] as string;
      known.pop();
      gone.push(value);
      // A released claim is removed whatever the clock says (as LocalReplayCache does), else at `now`.
      call(1, () => index.remove(digest(value), random() < 0.5 ? -Infinity : now));
      model.delete(value);
      expectState(value);
    } else if (roll < 0.6 + removeChance) {
      const values = [pick(known), `m${created++}`];
      const expiries = values.map(() => expiry() - 1000);
      call(2, () => index.addStored(encodeReplayKeys(values.map((value, i) => ({ kind: 'id', digest: digest(value), expiresAt: expiries[i] as number }))), now));
      values.forEach((value, i) => {
        const expiresAt = expiries[i] as number;
        const entry = model.get(value);
        if (expiresAt > now) model.set(value, { expiresAt: entry !== undefined && entry.expiresAt > now ? Math.max(entry.expiresAt, expiresAt) : expiresAt, committed: true });
        if (entry === undefined && expiresAt > now) known.push(value);
        expectState(value);
      });
    } else if (roll < 0.6 + removeChance + tickChance) now += 1000;
    else expectState(random() < 0.7 || gone.length === 0 ? pick(known) : random() < 0.5 ? pick(gone) : `never added ${step}`);
    if (step % 5_000 === 4_999) for (const value of model.keys()) expectState(value);
  }
  settle(index, now);
  if (migrations.finished !== migrations.growths + migrations.sweeps) wrong.push(`${migrations.finished} migrations finished of ${migrations.growths + migrations.sweeps}`);
  for (const value of model.keys()) expectState(value);
  const live = [...model.values()].filter((entry) => entry.expiresAt > now).length;
  if (index.size < live) wrong.push(`${index.size} keys held, ${live} live`);
  return { wrong, migrations };
}

/** mulberry32: the same sequence on every run, so a failure replays. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

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

  it('finishes a growth of its index in turns of the loop with no further calls, keeping every key', async () => {
    const cache = new LocalReplayCache(1_000_000);
    await cache.load(replayLogSource(db), () => NOW);
    const keys: ReplayKey[] = [];
    let before = cache.stats.bytes;
    // Claimed and committed one at a time until a claim starts a growth: the old table is then still held.
    while (cache.stats.bytes === before) {
      before = cache.stats.bytes;
      const next = key(`k${keys.length}`);
      keys.push(next);
      expect(await cache.claim([next], NOW)).toEqual({ result: 'new' });
      cache.commit([next], NOW);
    }
    const grown = cache.stats.bytes - before;
    for (let turn = 0; turn < 1_000 && cache.stats.bytes !== grown; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(cache.stats.bytes).toBe(grown);
    for (const stored of keys) expect(await cache.claim([stored], NOW)).toEqual({ result: 'duplicate', key: stored });
  });

  it('answers unavailable rather than forget when the index is full', async () => {
    const cache = new LocalReplayCache(2);
    await cache.load(replayLogSource(db), () => NOW);
    expect((await cache.claim([key('a'), key('b')], NOW)).result).toBe('new');
    expect((await cache.claim([key('c')], NOW)).result).toBe('unavailable');
  });
});
