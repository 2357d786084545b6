import { describe, expect, it } from 'vitest';
import { DigestFilter } from '../../../../receiver/store/dedupe/digest-filter.js';
import { replayDigest } from '../../../../receiver/store/dedupe/replay-digest.js';

const digests = (prefix: string, count: number): Buffer[] => Array.from({ length: count }, (_, index) => replayDigest('pay', 'id', `${prefix}${index}`));

describe('the filter of spilled digests', () => {
  it('holds every digest added, and rules out all but about 1 % of the others when full', () => {
    const filter = DigestFilter.forKeys(50_000);
    const added = digests('added_', 50_000);
    for (const digest of added) filter.add(digest);
    expect(added.filter((digest) => !filter.mightHold(digest))).toEqual([]);
    const falsePositives = digests('other_', 50_000).filter((digest) => filter.mightHold(digest)).length;
    expect(falsePositives).toBeLessThan(50_000 * 0.02);
  });

  it('takes digests back to back before it is shared, as one at a time', () => {
    const added = digests('slice_', 10_000);
    const filled = DigestFilter.forKeys(10_000);
    filled.fillBeforeSharing(Buffer.concat(added));
    const one = DigestFilter.forKeys(10_000);
    for (const digest of added) one.add(digest);
    expect(Buffer.from(filled.buffer).equals(Buffer.from(one.buffer))).toBe(true);
  });

  it('shows another thread\'s additions through the same shared memory', () => {
    const filter = DigestFilter.forKeys(1_000);
    const view = new DigestFilter(filter.buffer);
    const [digest] = digests('shared_', 1) as [Buffer];
    expect(view.mightHold(digest)).toBe(false);
    filter.add(digest);
    expect(view.mightHold(digest)).toBe(true);
  });
});
