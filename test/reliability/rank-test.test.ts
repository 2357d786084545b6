import { describe, expect, it } from 'vitest';
import { compareByRanks } from './harness/rank-test.js';

describe('the rank test behind the timing row', () => {
  it('finds no difference between two samples of the same values', () => {
    const values = Array.from({ length: 200 }, (_, index) => (index * 7919) % 1000);
    const result = compareByRanks(values, [...values].reverse());
    expect(result.a).toBe(0.5);
    expect(result.p).toBeGreaterThan(0.99);
  });

  it('sees a sample that is always larger, with the largest effect', () => {
    const small = Array.from({ length: 100 }, (_, index) => index);
    const result = compareByRanks(small.map((value) => value + 1000), small);
    expect(result.a).toBe(1);
    expect(result.p).toBeLessThan(1e-6);
  });

  it('gives one huge outlier no more weight than any other sample', () => {
    const base = Array.from({ length: 100 }, (_, index) => index);
    const withOutlier = [...base.slice(1), 1e12];
    expect(compareByRanks(withOutlier, base).a).toBeLessThan(0.52);
  });

  it('agrees with a textbook example (n = 8 and 9, U = 20)', () => {
    // The values are their own ranks: rank sum 56, U = 56 - 36 = 20, z = -16 / √108 ≈ -1.54, two-sided p ≈ 0.124.
    const result = compareByRanks([1, 2, 3, 5, 8, 9, 13, 15], [4, 6, 7, 10, 11, 12, 14, 16, 17]);
    expect(result.a).toBeCloseTo(20 / 72, 5);
    expect(result.p).toBeGreaterThan(0.12);
    expect(result.p).toBeLessThan(0.13);
  });
});
