import { describe, expect, it } from 'vitest';
import { makesFilterAgain, type SpillFilterState } from '../../../../receiver/store/dedupe/spill-filter-policy.js';

/** A filter at its configured size of 1,000 keys that has taken 1,000, before an extend of 100. */
const atCap: SpillFilterState = { capacity: 1_000, maxKeys: 1_000, filterKeys: 1_000, spillKeys: 700, incoming: 100 };

describe('the spill filter policy', () => {
  it('makes a filter when there is none', () => {
    expect(makesFilterAgain({ ...atCap, capacity: undefined, filterKeys: 0 })).toBe(true);
  });

  it('keeps a filter the extend does not overfill', () => {
    expect(makesFilterAgain({ ...atCap, filterKeys: 900 })).toBe(false);
    expect(makesFilterAgain({ ...atCap, capacity: 500, filterKeys: 400 })).toBe(false);
  });

  it('makes an overfilled filter again when a new one can be larger', () => {
    expect(makesFilterAgain({ ...atCap, capacity: 500, filterKeys: 500, spillKeys: 500 })).toBe(true);
  });

  it('at its configured size, makes it again once it took a quarter of its capacity in keys the spill no longer holds', () => {
    expect(makesFilterAgain({ ...atCap, spillKeys: 750 })).toBe(true);
    expect(makesFilterAgain({ ...atCap, spillKeys: 751 })).toBe(false);
  });

  it('at its configured size, keeps it while a new one would be overfilled too: a read of the whole spill would gain nothing', () => {
    expect(makesFilterAgain({ ...atCap, filterKeys: 5_000, spillKeys: 3_000 })).toBe(false);
    expect(makesFilterAgain({ ...atCap, spillKeys: 700, incoming: 301 })).toBe(false);
  });
});
