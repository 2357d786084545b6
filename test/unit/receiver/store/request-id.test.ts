import { describe, expect, it } from 'vitest';
import { timeOrderedId } from '../../../../receiver/store/request-id.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('timeOrderedId', () => {
  it('is a UUIDv7 carrying the millisecond, and ids sort by the order they were made in', () => {
    const start = Date.UTC(2026, 10, 30, 6, 0, 0);
    // Enough ids to refill the random pool several times, across millisecond steps and a step back.
    const times = Array.from({ length: 3000 }, (_, index) => start + Math.floor(index / 7) - (index % 500 === 499 ? 5 : 0));
    const ids = times.map((time) => timeOrderedId(time));
    for (const id of ids) expect(id).toMatch(UUID_V7);
    expect(parseInt(ids[0]!.replace('-', '').slice(0, 12), 16)).toBe(start);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps order past 4096 ids in one millisecond by borrowing the next', () => {
    const now = Date.UTC(2027, 0, 1);
    const ids = Array.from({ length: 5000 }, () => timeOrderedId(now));
    expect([...ids].sort()).toEqual(ids);
    expect(parseInt(ids.at(-1)!.replace('-', '').slice(0, 12), 16)).toBe(now + 1);
  });
});
