import type { FleetDelivery } from '../../../shared/contract/console.js';

/** The log is capped: a long session must not grow the renderer's memory without bound. */
export const LIVE_CAP = 100_000;

/** Node and seq: what names a delivery whether it came over the stream or from a node's log. */
export const deliveryKey = (delivery: Pick<FleetDelivery, 'fleetId' | 'nodeUrl' | 'seq'>): string => `${delivery.fleetId} ${delivery.nodeUrl} ${delivery.seq}`;

/**
 * The deliveries the console holds, oldest first in `rows[start..end)`. Successive logs share
 * `rows`, which only grows past `end`: an older log (what a paused screen shows) still reads what
 * it held, and adding a batch costs the batch, not the hundred thousand rows already there. Each
 * row's ordinal, `base + index`, stays the same while `epoch` does, which is what lets a filtered
 * view follow the log incrementally.
 */
export interface LiveLog {
  readonly rows: FleetDelivery[];
  readonly start: number;
  readonly end: number;
  readonly base: number;
  /** Changes when rows are put in a new order (history merged in): ordinals of another epoch mean nothing. */
  readonly epoch: number;
  /**
   * Keys of the rows held that came from the nodes' history (a few hundred at most): a stream
   * delivery is checked against these only. Stream deliveries of one node never repeat (the node
   * stream skips seqs it has seen), so the hundred thousand live rows need no set. Owned by the newest log.
   */
  readonly historyKeys: Set<string>;
  /** Deliveries the main process skipped because the screen could not keep up. */
  readonly dropped: number;
  /** Every delivery that came live, also those the cap has since pushed out: pause counts from it. */
  readonly received: number;
}

export const EMPTY_LIVE: LiveLog = { rows: [], start: 0, end: 0, base: 0, epoch: 0, historyKeys: new Set(), dropped: 0, received: 0 };

export const logSize = (log: LiveLog): number => log.end - log.start;

/** The `index`-th newest delivery held. */
export const newestAt = (log: LiveLog, index: number): FleetDelivery | undefined => log.rows[log.end - 1 - index];

/** The newest deliveries that satisfy `keep`, at most `limit`, newest first. */
export function takeNewest(log: LiveLog, limit: number, keep: (delivery: FleetDelivery) => boolean): FleetDelivery[] {
  const taken: FleetDelivery[] = [];
  for (let index = log.end - 1; index >= log.start && taken.length < limit; index--) {
    const delivery = log.rows[index] as FleetDelivery;
    if (keep(delivery)) taken.push(delivery);
  }
  return taken;
}

/** The rows and keys to extend: shared when `log` is the newest of its line, copied when another log grew from it already. */
function extendable(log: LiveLog): { rows: FleetDelivery[]; historyKeys: Set<string> } {
  if (log.rows.length === log.end) return { rows: log.rows, historyKeys: log.historyKeys };
  const rows = log.rows.slice(0, log.end);
  const held = new Set(rows.slice(log.start).map(deliveryKey));
  return { rows, historyKeys: new Set([...log.historyKeys].filter((key) => held.has(key))) };
}

/** Drops the oldest past `cap`, and lets go of the array's dead prefix once it is as large as a full log. */
function capped(log: LiveLog, cap: number): LiveLog {
  let start = log.start;
  const end = Math.max(start, log.end - cap);
  if (log.historyKeys.size > 0) for (let index = start; index < end; index++) log.historyKeys.delete(deliveryKey(log.rows[index] as FleetDelivery));
  start = end;
  if (start < Math.max(cap, 1024)) return { ...log, start };
  return { ...log, rows: log.rows.slice(start, log.end), base: log.base + start, start: 0, end: log.end - start };
}

/** A batch from the stream (oldest first) added at the newest end; one the history brought already is skipped. */
export function appendLive(log: LiveLog, batch: readonly FleetDelivery[], dropped: number, cap = LIVE_CAP): LiveLog {
  const { rows, historyKeys } = extendable(log);
  let end = log.end;
  for (const delivery of batch) {
    if (historyKeys.size > 0 && historyKeys.has(deliveryKey(delivery))) continue;
    rows[end++] = delivery;
  }
  return capped({ ...log, rows, historyKeys, end, dropped: log.dropped + dropped, received: log.received + batch.length }, cap);
}

const olderFirst = (a: FleetDelivery, b: FleetDelivery): number => (a.receivedAt < b.receivedAt ? -1 : a.receivedAt > b.receivedAt ? 1 : a.seq - b.seq);

/**
 * Deliveries from the nodes' logs (deliveries.list) merged in by time, each once. Rare (a screen
 * opened, a search), so it may re-sort; the stream's order is nearly sorted already, which the sort
 * makes quick work of.
 */
export function mergeHistory(log: LiveLog, earlier: readonly FleetDelivery[], cap = LIVE_CAP): LiveLog {
  if (earlier.length === 0) return log;
  // Rare (a window opens, a search): a pass over what is held finds what the stream brought already.
  const byKey = new Map(log.rows.slice(log.start, log.end).map((delivery) => [deliveryKey(delivery), delivery]));
  const fresh = earlier.filter((delivery) => !byKey.has(deliveryKey(delivery)));
  if (fresh.length === 0) return log;
  for (const delivery of fresh) byKey.set(deliveryKey(delivery), delivery);
  const sorted = [...byKey.values()].sort(olderFirst);
  const kept = sorted.length > cap ? sorted.slice(sorted.length - cap) : sorted;
  const historyKeys = new Set([...log.historyKeys, ...fresh.map(deliveryKey)]);
  if (kept !== sorted) for (const delivery of sorted.slice(0, sorted.length - cap)) historyKeys.delete(deliveryKey(delivery));
  return { ...log, rows: kept, start: 0, end: kept.length, base: 0, epoch: log.epoch + 1, historyKeys };
}

/** Two newest-first lists merged into one, each delivery once (by node and seq). */
export function mergeNewestFirst(live: readonly FleetDelivery[], earlier: readonly FleetDelivery[]): readonly FleetDelivery[] {
  if (earlier.length === 0) return live;
  const byKey = new Map([...live, ...earlier].map((delivery) => [deliveryKey(delivery), delivery]));
  return [...byKey.values()].sort((a, b) => olderFirst(b, a));
}
