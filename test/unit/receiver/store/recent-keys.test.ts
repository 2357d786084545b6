import { describe, expect, it } from 'vitest';
import { encodeReplayKeys } from '../../../../receiver/store/dedupe/local-replay-cache.js';
import { RecentKeys } from '../../../../receiver/store/dedupe/recent-keys.js';
import { replayDigest } from '../../../../receiver/store/dedupe/replay-digest.js';

const NOW = 1_700_000_000_000;
const HOUR = 3_600_000;
const digest = (value: string) => replayDigest('pay', 'id', value);
const addAll = (recent: RecentKeys, prefix: string, count: number, expiresAt = NOW + HOUR) =>
  Array.from({ length: count }, (_, i) => recent.add(digest(`${prefix}${i}`), expiresAt, NOW));
const held = (recent: RecentKeys, prefix: string, count: number, now = NOW) =>
  Array.from({ length: count }, (_, i) => recent.has(digest(`${prefix}${i}`), now)).filter(Boolean).length;

describe('recent replay keys in memory', () => {
  it('holds up to its bound in four generations, then refuses until the oldest keys are on disk', () => {
    const recent = new RecentKeys(4_000);
    expect(addAll(recent, 'k', 4_000).every(Boolean)).toBe(true);
    expect(recent.size).toBe(4_000);
    // Three quarters in: the sealed generations should be copied to disk.
    expect(recent.wantsSpill).toBe(true);
    expect(recent.canAdd(NOW)).toBe(false);
    expect(recent.add(digest('over'), NOW + HOUR, NOW)).toBe(false);
    expect(held(recent, 'k', 4_000)).toBe(4_000);
    expect(recent.evicted).toBe(false);
  });

  it('drops the oldest generation once a spill that began after its seal is done, and only then', () => {
    const recent = new RecentKeys(4_000);
    addAll(recent, 'a', 3_000);
    const spilled = recent.spillPoint();
    addAll(recent, 'b', 1_000);
    // The spill is still running: nothing may be dropped.
    expect(recent.add(digest('over'), NOW + HOUR, NOW)).toBe(false);
    spilled();
    // The spill began before the fourth quarter was sealed: it covers the first three only.
    expect(recent.wantsSpill).toBe(true);
    expect(addAll(recent, 'c', 1_000).every(Boolean)).toBe(true);
    expect(recent.evicted).toBe(true);
    expect([held(recent, 'a', 1_000), held(recent, 'a', 3_000), held(recent, 'b', 1_000), held(recent, 'c', 1_000)]).toEqual([0, 2_000, 1_000, 1_000]);
    expect(recent.size).toBe(4_000);
    // The next quarter drops the second; the third was still being filled when the spill began: it stays.
    expect(addAll(recent, 'd', 1_001)).toEqual([...Array.from({ length: 1_000 }, () => true), false]);
    expect(held(recent, 'a', 3_000)).toBe(1_000);
  });

  it('drops a generation whose keys have all expired without a spill, and has forgotten nothing live', () => {
    const recent = new RecentKeys(4_000);
    addAll(recent, 'short', 1_000, NOW + 1_000);
    addAll(recent, 'long', 3_000);
    const later = NOW + 2_000;
    expect(recent.canAdd(later)).toBe(true);
    expect(recent.add(digest('next'), later + HOUR, later)).toBe(true);
    expect(recent.evicted).toBe(false);
    expect([held(recent, 'long', 3_000, later), recent.has(digest('next'), later)]).toEqual([3_000, true]);
    recent.dropExpired(NOW + 2 * HOUR);
    expect(recent.size).toBe(1);
  });

  it('loads stored keys across generations and says when they do not fit', () => {
    const recent = new RecentKeys(4_000);
    const keys = (prefix: string, count: number) =>
      encodeReplayKeys(Array.from({ length: count }, (_, i) => ({ kind: 'id' as const, digest: digest(`${prefix}${i}`), expiresAt: NOW + HOUR })));
    expect(recent.loadBudget).toBe(3_000);
    expect(recent.addStored(keys('s', 3_000), NOW)).toBe(true);
    expect(held(recent, 's', 3_000)).toBe(3_000);
    expect(recent.addStored(keys('t', 1_500), NOW)).toBe(false);
  });

  it('sizes every generation after the first for its quarter at once: at most 25.6 bytes a key of the bound', () => {
    const recent = new RecentKeys(400_000);
    addAll(recent, 'k', 400_000);
    while (recent.slotsToMigrate > 0) recent.moveAhead(1 << 20, NOW);
    expect(recent.bytes).toBeLessThanOrEqual(400_000 * 25.6);
  });
});
