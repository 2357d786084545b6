import type { DeliverySummary } from '../../shared/contract/admin-api.js';
import type { AdminQueries } from './admin-service.js';

type Listener = (delivery: DeliverySummary) => void;

/** Deliveries a pump may fall behind by before the streams are cut off (they resume from the log). */
export const DEFAULT_RING_CAPACITY = 4_096;

/**
 * Keeps live streams off the ingress path. The node's feed is subscribed once, and only while a stream
 * is open; a delivery costs the ingress one push into a bounded ring. The streams are fed from the ring
 * on a later turn of the event loop, however many there are. If more deliveries arrive within one turn
 * than the ring holds, the streams are told they lost some (they end, and the clients resume from the
 * log with Last-Event-ID) instead of the ring growing.
 */
export class StreamHub {
  private readonly ring: (DeliverySummary | undefined)[];
  /** Deliveries ever published, and how many of them the streams have been given. */
  private published = 0;
  private pumped = 0;
  private scheduled = false;
  private readonly listeners = new Map<Listener, () => void>();
  private unsubscribeFeed: (() => void) | undefined;

  constructor(
    private readonly feed: Pick<AdminQueries, 'subscribe'>,
    private readonly capacity = DEFAULT_RING_CAPACITY,
  ) {
    this.ring = new Array<DeliverySummary | undefined>(capacity);
  }

  /** Same shape as the feed's `subscribe`, so a stream does not know which it got. `onLost`: deliveries were skipped. */
  subscribe = (listener: Listener, onLost: () => void = () => {}): (() => void) => {
    this.listeners.set(listener, onLost);
    this.unsubscribeFeed ??= this.feed.subscribe((delivery) => this.publish(delivery));
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  };

  stop(): void {
    this.unsubscribeFeed?.();
    this.unsubscribeFeed = undefined;
    this.ring.fill(undefined);
    this.pumped = this.published;
  }

  private publish(delivery: DeliverySummary): void {
    this.ring[this.published % this.capacity] = delivery;
    this.published += 1;
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.pump());
  }

  private pump(): void {
    this.scheduled = false;
    if (this.published - this.pumped > this.capacity) {
      this.pumped = this.published;
      for (const onLost of [...this.listeners.values()]) onLost();
      return;
    }
    while (this.pumped < this.published) {
      const delivery = this.ring[this.pumped % this.capacity];
      this.pumped += 1;
      if (delivery === undefined) continue;
      for (const listener of [...this.listeners.keys()]) listener(delivery);
    }
  }
}
