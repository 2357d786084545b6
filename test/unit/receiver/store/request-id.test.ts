import { describe, expect, it } from 'vitest';
import { timeOrderedId } from '../../../../receiver/store/request-id.js';
import { idMillisecond } from '../../../../receiver/store/sqlite/seq-of-request-id.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('timeOrderedId', () => {
  it('is a UUIDv7 carrying floor(now), also after a clock step back, and ids of a millisecond sort by the order they were made in', () => {
    const start = Date.UTC(2026, 10, 30, 6, 0, 0);
    // Enough ids to refill the random pool several times, across millisecond steps, fractions and steps back.
    const times = Array.from({ length: 3000 }, (_, index) => start + Math.floor(index / 7) + (index % 3) / 3 - (index % 500 === 499 ? 5 : 0));
    const ids = times.map((time) => timeOrderedId(time));
    for (const [index, id] of ids.entries()) {
      expect(id).toMatch(UUID_V7);
      expect(idMillisecond(id)).toBe(Math.floor(times[index]!));
    }
    const ofOneMillisecond = ids.slice(7, 14);
    expect([...ofOneMillisecond].sort()).toEqual(ofOneMillisecond);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('stays in its millisecond past 4096 ids in it: the counter wraps and the random bits keep the ids apart', () => {
    const now = Date.UTC(2027, 0, 1);
    const ids = Array.from({ length: 5000 }, () => timeOrderedId(now));
    for (const id of ids) expect(idMillisecond(id)).toBe(now);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('reads no millisecond from ids of other kinds', () => {
    expect(idMillisecond('1b4e28ba-2fa1-41d2-883f-0016d3cca427')).toBeNull();
    expect(idMillisecond('req-1')).toBeNull();
  });
});
