export interface BatcherOptions {
  /** Items held at most; past it the oldest are dropped (and counted). */
  readonly capacity?: number;
  /** Items handed over per batch at most: what the UI is assumed to take in one go. */
  readonly maxBatch?: number;
  /** Shortest time between two batches: 100 ms is at most ten a second. */
  readonly intervalMs?: number;
  readonly now?: () => number;
}

export const DEFAULT_BATCHER = { capacity: 5_000, maxBatch: 500, intervalMs: 100 } as const;

/**
 * Turns a flood of events into at most one batch per interval, from a bounded ring buffer. A
 * renderer that falls behind costs memory nowhere: once the buffer is full the oldest event is
 * dropped, and the next batch says how many went (`dropped` counts those since the previous batch).
 */
export class DeliveryBatcher<T> {
  private readonly ring: (T | undefined)[];
  private head = 0;
  private count = 0;
  private droppedSinceEmit = 0;
  private droppedEver = 0;
  private lastEmit = Number.NEGATIVE_INFINITY;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private readonly maxBatch: number;
  private readonly intervalMs: number;
  private readonly now: () => number;

  constructor(
    private readonly emit: (batch: T[], dropped: number) => void,
    options: BatcherOptions = {},
  ) {
    const capacity = options.capacity ?? DEFAULT_BATCHER.capacity;
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
    this.ring = new Array<T | undefined>(capacity);
    this.maxBatch = options.maxBatch ?? DEFAULT_BATCHER.maxBatch;
    this.intervalMs = options.intervalMs ?? DEFAULT_BATCHER.intervalMs;
    this.now = options.now ?? Date.now;
  }

  /** Items waiting for the next batch. */
  get size(): number {
    return this.count;
  }

  /** Items dropped since the batcher was made. */
  get droppedTotal(): number {
    return this.droppedEver;
  }

  push(item: T): void {
    if (this.stopped) return;
    const capacity = this.ring.length;
    if (this.count === capacity) {
      // Full: the oldest goes. The newest matter more to someone watching live traffic.
      this.ring[this.head] = undefined;
      this.head = (this.head + 1) % capacity;
      this.count--;
      this.droppedSinceEmit++;
      this.droppedEver++;
    }
    this.ring[(this.head + this.count) % capacity] = item;
    this.count++;
    this.schedule();
  }

  /** Stops the timer and forgets what is buffered: nothing is emitted after this. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.ring.fill(undefined);
    this.count = 0;
  }

  private schedule(): void {
    if (this.timer !== undefined || this.stopped) return;
    // The first event after a quiet spell goes out at once (well, after this tick's burst); later ones wait their turn.
    const delay = Math.max(0, this.lastEmit + this.intervalMs - this.now());
    this.timer = setTimeout(() => this.flush(), delay);
  }

  private flush(): void {
    this.timer = undefined;
    if (this.stopped || (this.count === 0 && this.droppedSinceEmit === 0)) return;
    const take = Math.min(this.count, this.maxBatch);
    const batch: T[] = new Array<T>(take);
    for (let index = 0; index < take; index++) {
      batch[index] = this.ring[this.head] as T;
      this.ring[this.head] = undefined;
      this.head = (this.head + 1) % this.ring.length;
    }
    this.count -= take;
    const dropped = this.droppedSinceEmit;
    this.droppedSinceEmit = 0;
    this.lastEmit = this.now();
    if (this.count > 0) this.schedule();
    try {
      this.emit(batch, dropped);
    } catch {
      // A transport that failed to carry one batch (a closed window) must not stop the next ones.
    }
  }
}
