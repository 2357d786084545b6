import { describe, expect, it } from 'vitest';
import type { DeliverySummary } from '../../../../shared/contract/admin-api.js';
import { StreamHub } from '../../../../receiver/admin/stream-hub.js';
import { StreamSlots } from '../../../../receiver/admin/stream-slots.js';
import { deliverySummary } from '../../../helpers/delivery-summary.js';

/** A feed like the engine's: publishing calls every listener synchronously. */
function fakeFeed() {
  const listeners = new Set<(delivery: DeliverySummary) => void>();
  return {
    listeners,
    subscribe(listener: (delivery: DeliverySummary) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    publish(seq: number) {
      const delivery = deliverySummary({ seq, requestId: `r${seq}`, nodeId: 'n', sourceIp: '10.0.0.1', bodySize: 1, latencyUs: 1 });
      for (const listener of listeners) listener(delivery);
    },
  };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('stream hub', () => {
  it('subscribes to the feed once however many streams listen, and only while one does', async () => {
    const feed = fakeFeed();
    const hub = new StreamHub(feed);
    const seen: number[][] = [[], [], []];
    const ends = seen.map((list) => hub.subscribe((delivery) => list.push(delivery.seq)));
    expect(feed.listeners.size).toBe(1);
    feed.publish(1);
    feed.publish(2);
    // Nothing is written during the ingress's publish; the streams get it on a later turn.
    expect(seen).toEqual([[], [], []]);
    await nextTurn();
    expect(seen).toEqual([[1, 2], [1, 2], [1, 2]]);
    for (const end of ends) end();
    expect(feed.listeners.size).toBe(0);
  });

  it('tells the streams they lost deliveries when more arrive in one turn than the ring holds', async () => {
    const feed = fakeFeed();
    const hub = new StreamHub(feed, 4);
    const seen: number[] = [];
    let lost = 0;
    hub.subscribe((delivery) => seen.push(delivery.seq), () => (lost += 1));
    for (let seq = 1; seq <= 5; seq++) feed.publish(seq);
    await nextTurn();
    expect(lost).toBe(1);
    expect(seen).toEqual([]);
    feed.publish(6);
    await nextTurn();
    expect(seen).toEqual([6]);
  });
});

describe('stream slots', () => {
  it('caps streams per token and in total, and frees a slot once', () => {
    const slots = new StreamSlots({ max: 3, perToken: 2 });
    const a1 = slots.acquire('a');
    slots.acquire('a');
    expect(slots.acquire('a')).toEqual({ refused: expect.stringMatching(/admin\.streams\.perToken is 2/) });
    slots.acquire('b');
    expect(slots.acquire('c')).toEqual({ refused: expect.stringMatching(/admin\.streams\.max is 3/) });
    if (!('release' in a1)) throw new Error('a slot was expected');
    a1.release();
    a1.release();
    expect('release' in slots.acquire('c')).toBe(true);
    expect('refused' in slots.acquire('d')).toBe(true);
  });
});
