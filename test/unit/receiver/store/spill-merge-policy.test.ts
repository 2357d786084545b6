import { describe, expect, it } from 'vitest';
import { runsToMerge, type SpillRun } from '../../../../receiver/store/dedupe/spill-merge-policy.js';

const MAX_RUNS = 8;
const DAY = 86_400_000;

/** A run of `keys` keys whose last expires `life` ms after now (0). */
const run = (number: number, keys: number, life: number): SpillRun => ({ run: number, keys, maxUntil: life });

describe('the spill merge policy', () => {
  it('merges nothing while runs are few and each older one is much larger', () => {
    expect(runsToMerge([], MAX_RUNS, 0)).toEqual([]);
    expect(runsToMerge([run(1, 100, DAY)], MAX_RUNS, 0)).toEqual([]);
    expect(runsToMerge([run(1, 400, DAY), run(2, 100, DAY + 1), run(3, 10, DAY + 2)], MAX_RUNS, 0)).toEqual([]);
  });

  it('never rewrites a large run to take in a much smaller one that expires just before it', () => {
    // The keys copied at start (older keys that outlive the log's) and the next extend's.
    expect(runsToMerge([run(2, 738_000, DAY), run(1, 3_262_000, DAY + 1)], MAX_RUNS, 0)).toEqual([]);
    expect(runsToMerge([run(1, 3_262_000, DAY), run(2, 738_000, DAY + 1), run(3, 250_000, DAY + 2)], MAX_RUNS, 0)).toEqual([]);
  });

  it('merges the newest runs while each older one holds at most 1.5 times the keys taken so far', () => {
    const runs = [run(1, 1_000, DAY), run(2, 300, DAY + 1), run(3, 100, DAY + 2), run(4, 100, DAY + 3)];
    // 4 takes 3 (100 <= 150), then 2 (300 <= 300); 1 holds 1,000 > 750.
    expect(runsToMerge(runs, MAX_RUNS, 0).map((member) => member.run)).toEqual([2, 3, 4]);
  });

  it('takes runs in expiry order, not by number, so a merged run (numbered above all) keeps its place', () => {
    // Run 9 is an earlier merge: its keys expire before those of runs 7 and 8.
    const runs = [run(8, 100, DAY + 2), run(9, 500, DAY), run(7, 100, DAY + 1)];
    expect(runsToMerge(runs, MAX_RUNS, 0).map((member) => member.run)).toEqual([7, 8]);
  });

  it('leaves out an older run with less than three quarters of the newest run\'s time to live: it goes whole, unwritten', () => {
    const runs = [run(1, 100, DAY * 0.7), run(2, 100, DAY)];
    expect(runsToMerge(runs, MAX_RUNS, 0)).toEqual([]);
    expect(runsToMerge(runs, MAX_RUNS, -DAY * 2).map((member) => member.run)).toEqual([1, 2]);
  });

  it('past the bound, merges the adjacent runs with the fewest keys, as many as bring it back to the bound', () => {
    // Each older run holds more than 1.5 times the next, so the tiers merge nothing.
    const sizes = [20_000, 10_000, 5_000, 2_000, 1_000, 500, 200, 100, 40, 10];
    const runs = sizes.map((keys, index) => run(index + 1, keys, DAY + index));
    expect(runsToMerge(runs, MAX_RUNS, 0).map((member) => member.run)).toEqual([8, 9, 10]);
    // The smallest adjacent group need not be the newest.
    const middle = runs.map((member) => (member.run === 5 || member.run === 6 ? { ...member, keys: 1 } : member)).slice(0, 9);
    expect(runsToMerge(middle, MAX_RUNS, 0).map((member) => member.run)).toEqual([5, 6]);
  });

  it('over 1,000 equal extends whose keys live 60 of them, keeps at most 8 runs and rewrites a key at most ~log2(60) times', () => {
    interface Held extends SpillRun {
      readonly extents: readonly number[];
    }
    let runs: Held[] = [];
    let next = 1;
    const rewrites = new Map<number, number>();
    let most = 0;
    for (let extent = 0; extent < 1_000; extent++) {
      // Time counts in extends; the keys of extent e expire at e + 60.
      runs.push({ run: next++, keys: 1_000, maxUntil: extent + 60, extents: [extent] });
      runs = runs.filter((held) => held.maxUntil > extent);
      for (let group = runsToMerge(runs, MAX_RUNS, extent); group.length > 0; group = runsToMerge(runs, MAX_RUNS, extent)) {
        const merged = runs.filter((held) => group.some((member) => member.run === held.run));
        const extents = merged.flatMap((held) => held.extents).filter((from) => from + 60 > extent);
        for (const from of extents) rewrites.set(from, (rewrites.get(from) ?? 0) + 1);
        runs = runs.filter((held) => !merged.includes(held));
        if (extents.length > 0) runs.push({ run: next++, keys: extents.length * 1_000, maxUntil: Math.max(...extents) + 60, extents });
      }
      most = Math.max(most, runs.length);
      expect(runs.length).toBeLessThanOrEqual(MAX_RUNS);
    }
    expect(most).toBeGreaterThan(2);
    // Merging all runs past 8 rewrote each key 60 / 8 = 7.5 times on average.
    expect(Math.max(...rewrites.values())).toBeLessThanOrEqual(Math.ceil(Math.log2(60)));
  });
});
