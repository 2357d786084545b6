/** An accepted delivery on its way downstream, read back from the outbox with its captured request. */
export interface OutboxEntry {
  readonly seq: number;
  readonly requestId: string;
  readonly integrationId: string;
  /** Unix milliseconds. */
  readonly receivedAt: number;
  readonly query: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/**
 * A downstream destination. `deliver` resolves once the destination has the delivery and rejects
 * otherwise; the outbox row is removed only after it resolved (at least once). A sink that can
 * make a repeat harmless (the Redis Stream sink) makes it exactly once.
 */
export interface DeliverySink {
  readonly name: string;
  deliver(entry: OutboxEntry): Promise<void>;
  /**
   * Several entries at once, in order, where the destination takes them cheaper together; resolves
   * once it has every one. Only for sinks that make a repeat harmless: after a rejection some may be
   * there already, and the whole batch is sent again; likewise, what it took leaves the outbox a
   * little later, so a crash in between sends that again.
   */
  deliverAll?(entries: readonly OutboxEntry[]): Promise<void>;
  close(): Promise<void>;
}
