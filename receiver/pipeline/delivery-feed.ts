import type { LoggedDelivery } from '../store/delivery-record.js';

export type DeliveryListener = (record: LoggedDelivery) => void;

/** Fan-out of finished deliveries to in-process listeners (live stream, statistics, the console). */
export class DeliveryFeed {
  private readonly listeners = new Set<DeliveryListener>();

  subscribe(listener: DeliveryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(record: LoggedDelivery): void {
    for (const listener of this.listeners) listener(record);
  }
}
