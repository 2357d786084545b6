import type { EventPayload, FleetDelivery } from '../../../shared/contract/console.js';

/** The live list is capped: a long session must not grow the renderer's memory without bound. */
export const LIVE_CAP = 100_000;

export interface LiveState {
  /** Newest first, at most LIVE_CAP. */
  readonly deliveries: readonly FleetDelivery[];
  /** Deliveries the main process skipped because the screen could not keep up. */
  readonly dropped: number;
  /** Every delivery ever received, also those the cap has since pushed out: pause counts from it. */
  readonly received: number;
}

export const EMPTY_LIVE: LiveState = { deliveries: [], dropped: 0, received: 0 };

/** Newest first; the incoming batch is oldest first, so it is reversed in. */
export function appendLive(state: LiveState, batch: readonly FleetDelivery[], dropped: number, cap = LIVE_CAP): LiveState {
  const newestFirst = batch.toReversed();
  const deliveries = newestFirst.length >= cap ? newestFirst.slice(0, cap) : newestFirst.concat(state.deliveries.slice(0, cap - newestFirst.length));
  return { deliveries, dropped: state.dropped + dropped, received: state.received + batch.length };
}

export type StreamState = EventPayload<'streams'>['nodes'][number];

/**
 * Deliveries from the nodes' history (deliveries.list) merged into the live list: newest first,
 * each request once. Both lists are already newest first, so one pass merges them.
 */
export function mergeNewestFirst(live: readonly FleetDelivery[], earlier: readonly FleetDelivery[]): readonly FleetDelivery[] {
  if (earlier.length === 0) return live;
  const liveIds = new Set<string>();
  // Only the few earlier ids are looked up: the live list may hold a hundred thousand.
  const earlierIds = new Set(earlier.map((delivery) => delivery.requestId));
  for (const delivery of live) if (earlierIds.has(delivery.requestId)) liveIds.add(delivery.requestId);
  const extra = earlier.filter((delivery) => !liveIds.has(delivery.requestId));
  const merged: FleetDelivery[] = [];
  let i = 0;
  let j = 0;
  while (i < live.length || j < extra.length) {
    const a = live[i];
    const b = extra[j];
    if (b === undefined || (a !== undefined && a.receivedAt >= b.receivedAt)) {
      merged.push(a as FleetDelivery);
      i++;
    } else {
      merged.push(b);
      j++;
    }
  }
  return merged;
}
