import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeliveryBatcher } from '../../../../electron/main/services/fleets/delivery-batcher.js';

describe('DeliveryBatcher', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function batcher(options: ConstructorParameters<typeof DeliveryBatcher<number>>[1] = {}) {
    const batches: { items: number[]; dropped: number; at: number }[] = [];
    const subject = new DeliveryBatcher<number>((items, dropped) => batches.push({ items, dropped, at: Date.now() }), options);
    return { subject, batches };
  }

  it('sends a burst as one batch, at once after a quiet spell', async () => {
    const { subject, batches } = batcher();
    for (let index = 0; index < 50; index++) subject.push(index);
    expect(batches).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(batches).toEqual([{ items: Array.from({ length: 50 }, (_, index) => index), dropped: 0, at: 1_000_000 }]);
  });

  it('emits at most one batch per interval however fast items come', async () => {
    const { subject, batches } = batcher({ intervalMs: 100 });
    // 10 000 items over two seconds, one every 0.2 ms.
    for (let index = 0; index < 10_000; index++) {
      subject.push(index);
      if (index % 5 === 4) await vi.advanceTimersByTimeAsync(1);
    }
    await vi.advanceTimersByTimeAsync(1_000);
    expect(batches.length).toBeLessThanOrEqual(2_000 / 100 + 2);
    for (let index = 1; index < batches.length; index++) expect((batches[index]?.at ?? 0) - (batches[index - 1]?.at ?? 0)).toBeGreaterThanOrEqual(100);
    expect(batches.flatMap((batch) => batch.items)).toEqual(Array.from({ length: 10_000 }, (_, index) => index));
  });

  it('drops the oldest when full, says how many in the next batch, and keeps the newest in order', async () => {
    const { subject, batches } = batcher({ capacity: 10, maxBatch: 4, intervalMs: 100 });
    for (let index = 0; index < 25; index++) subject.push(index);
    expect(subject.size).toBe(10);
    expect(subject.droppedTotal).toBe(15);
    await vi.advanceTimersByTimeAsync(0);
    expect(batches[0]).toMatchObject({ items: [15, 16, 17, 18], dropped: 15 });
    await vi.advanceTimersByTimeAsync(99);
    expect(batches).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(batches[1]).toMatchObject({ items: [19, 20, 21, 22], dropped: 0 });
    await vi.advanceTimersByTimeAsync(100);
    expect(batches[2]).toMatchObject({ items: [23, 24], dropped: 0 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(batches).toHaveLength(3);
  });

  it('keeps working when the consumer throws, and emits nothing after stop', async () => {
    let calls = 0;
    const subject = new DeliveryBatcher<number>(() => {
      calls++;
      throw new Error('window closed');
    });
    subject.push(1);
    await vi.advanceTimersByTimeAsync(0);
    subject.push(2);
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toBe(2);
    subject.push(3);
    subject.stop();
    subject.push(4);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toBe(2);
    expect(subject.size).toBe(0);
  });
});
