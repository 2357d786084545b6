import { describe, expect, it } from 'vitest';
import { DedupeIndex } from '../../../../receiver/store/dedupe/dedupe-index.js';
import { LocalReplayCache, encodeReplayKeys } from '../../../../receiver/store/dedupe/local-replay-cache.js';
import { replayDigest } from '../../../../receiver/store/dedupe/replay-digest.js';
import type { ReplayKey } from '../../../../receiver/store/replay-cache.js';

const NOW = 1_700_000_000_000;
const digest = (value: string) => replayDigest('pay', 'id', value);
const key = (value: string, ttlMs = 60_000): ReplayKey => ({ kind: 'id', digest: digest(value), expiresAt: NOW + ttlMs });

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
    for (let i = 0; i < 50_000; i += 2) index.remove(digest(`k${i}`), NOW);
    const wrong = Array.from({ length: 50_000 }, (_, i) => i).filter((i) => index.lookup(digest(`k${i}`), NOW) !== (i % 2 === 0 ? 'absent' : 'committed'));
    expect(wrong).toEqual([]);
    expect(index.size).toBe(25_000);
    // About 50 bytes a key at most: the table stays at most half full.
    expect(index.bytes / index.size).toBeLessThan(4 * 50);
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
  it('answers unavailable for a key it cannot judge until the log is loaded, then duplicate for a committed key', async () => {
    const cache = new LocalReplayCache(1000);
    expect(await cache.claim([key('evt_1')], NOW)).toEqual({ result: 'unavailable', detail: 'the replay index is still loading' });
    const rows = [{ seq: 1, keys: encodeReplayKeys([key('evt_1'), key('expired', -1)]) }];
    await cache.load({ after: (seq) => rows.filter((row) => row.seq > seq) }, () => NOW);
    expect(cache.ready).toBe(true);
    expect(await cache.claim([key('evt_1')], NOW)).toEqual({ result: 'duplicate', key: key('evt_1') });
    expect(await cache.claim([key('expired')], NOW)).toEqual({ result: 'new' });
  });

  it('claims all keys or none, answers pending while a claim is not committed, and forgets a released claim', async () => {
    const cache = new LocalReplayCache(1000);
    await cache.load({ after: () => [] }, () => NOW);
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
    await cache.load({ after: () => [] }, () => NOW);
    expect((await cache.claim([key('a'), key('b')], NOW)).result).toBe('new');
    expect((await cache.claim([key('c')], NOW)).result).toBe('unavailable');
  });
});
