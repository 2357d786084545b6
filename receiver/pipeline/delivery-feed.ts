import type { DeliveryRecord, LoggedDelivery } from '../store/delivery-record.js';

export type DeliveryListener = (record: LoggedDelivery) => void;

/** Fan-out of finished deliveries to in-process listeners (live stream, statistics, the console). */
export class DeliveryFeed {
  private readonly listeners = new Set<DeliveryListener>();

  subscribe(listener: DeliveryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The logged copy is made only while someone listens: with no console or stream attached, a delivery costs no copy. */
  publish(record: DeliveryRecord, seq: number): void {
    if (this.listeners.size === 0) return;
    const logged: LoggedDelivery = { ...record, seq };
    for (const listener of this.listeners) listener(logged);
  }
}
