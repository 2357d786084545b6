import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DedupeIndex, SLOTS_MOVED_PER_CALL } from '../../../../receiver/store/dedupe/dedupe-index.js';
import { encodeReplayKeys } from '../../../../receiver/store/dedupe/local-replay-cache.js';
import { replayDigest } from '../../../../receiver/store/dedupe/replay-digest.js';
import type { ReplayKey } from '../../../../receiver/store/replay-cache.js';

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
    expect(index.addStored(stored, NOW)).toBe(stored.length);
    expect(index.lookup(digest('b'), NOW + 8_999)).toBe('committed');
    expect(index.lookup(digest('gone'), NOW)).toBe('absent');
    expect(index.size).toBe(1);
  });

  it('refuses a key past its bound instead of forgetting one inside its window; a load stops at the first key it could not add', () => {
    const index = new DedupeIndex(3);
    for (const value of ['a', 'b', 'c']) expect(index.add(digest(value), NOW + 1000, true, NOW)).toBe(true);
    expect(index.add(digest('d'), NOW + 1000, true, NOW)).toBe(false);
    for (const value of ['a', 'b', 'c']) expect(index.lookup(digest(value), NOW)).toBe('committed');
    index.remove(digest('a'), NOW);
    const stored = encodeReplayKeys([key('b'), key('gone', -1), key('e'), key('f'), key('g')]);
    expect(index.addStored(stored, NOW)).toBe(3 * 24);
    expect(index.addStored(stored, NOW, 3 * 24)).toBe(3 * 24);
    expect(['b', 'c', 'e', 'f'].map((value) => index.lookup(digest(value), NOW))).toEqual(['committed', 'committed', 'committed', 'absent']);
  });

  it('gives its memory back at once when cleared, and takes keys again after', () => {
    const index = new DedupeIndex(100_000);
    for (let i = 0; i < 50_000; i++) index.add(digest(`k${i}`), NOW + 60_000, true, NOW);
    index.clear();
    expect([index.size, index.bytes, index.lookup(digest('k1'), NOW)]).toEqual([0, 16 * 1024, 'absent']);
    expect(index.add(digest('k1'), NOW + 60_000, true, NOW)).toBe(true);
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
