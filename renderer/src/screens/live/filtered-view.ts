import { useRef } from 'react';
import type { FleetDelivery } from '../../../../shared/contract/console.js';
import { logSize, type LiveLog } from '../../queries/live-log.js';
import { liveMatcher, sameFilter, type LiveFilter } from './live-filter.js';

/**
 * The rows of a log that match a filter, oldest first in `rows[start..end)`, each with its log
 * ordinal. Like the log, successive views share their arrays and only append past `end`.
 */
export interface FilteredView {
  readonly log: LiveLog;
  readonly filter: LiveFilter;
  readonly rows: FleetDelivery[];
  readonly ordinals: number[];
  readonly start: number;
  readonly end: number;
}

export const viewSize = (view: FilteredView): number => view.end - view.start;

/** The `index`-th newest matching delivery. */
export const viewNewestAt = (view: FilteredView, index: number): FleetDelivery | undefined => view.rows[view.end - 1 - index];

/** Every matching delivery, newest first (an export, not a render path). */
export function viewNewestFirst(view: FilteredView): FleetDelivery[] {
  return view.rows.slice(view.start, view.end).reverse();
}

function scan(log: LiveLog, from: number, keep: (delivery: FleetDelivery) => boolean, rows: FleetDelivery[], ordinals: number[], at: number): number {
  let end = at;
  for (let index = from; index < log.end; index++) {
    const delivery = log.rows[index] as FleetDelivery;
    if (!keep(delivery)) continue;
    rows[end] = delivery;
    ordinals[end] = log.base + index;
    end++;
  }
  return end;
}

/**
 * The view of `log` through `filter`. When `previous` is the same filter over an earlier state of
 * the same log (the usual case: a batch arrived), only the new rows are tested and the rows the cap
 * pushed out are let go: a batch costs its own size, not the hundred thousand rows held.
 */
export function filterLog(log: LiveLog, filter: LiveFilter, previous?: FilteredView): FilteredView {
  const previousEnd = previous ? previous.log.base + previous.log.end : 0;
  const incremental = previous !== undefined && previous.log.epoch === log.epoch && sameFilter(previous.filter, filter) && previousEnd <= log.base + log.end;
  if (!incremental) {
    const rows: FleetDelivery[] = [];
    const ordinals: number[] = [];
    const end = scan(log, log.start, liveMatcher(filter), rows, ordinals, 0);
    return { log, filter, rows, ordinals, start: 0, end };
  }
  if (previousEnd === log.base + log.end && previous.log.start === log.start && previous.log.base === log.base) return { ...previous, log };
  // Extend in place when nothing grew from `previous` yet; a paused screen's older view is copied.
  const owned = previous.rows.length === previous.end;
  const rows = owned ? previous.rows : previous.rows.slice(0, previous.end);
  const ordinals = owned ? previous.ordinals : previous.ordinals.slice(0, previous.end);
  const firstHeld = log.base + log.start;
  const end = scan(log, Math.max(previousEnd - log.base, log.start), liveMatcher(filter), rows, ordinals, previous.end);
  let start = previous.start;
  while (start < end && (ordinals[start] as number) < firstHeld) start++;
  if (start >= Math.max(logSize(log), 1024)) {
    return { log, filter, rows: rows.slice(start, end), ordinals: ordinals.slice(start, end), start: 0, end: end - start };
  }
  return { log, filter, rows, ordinals, start, end };
}

/** filterLog, remembered across renders so that each render builds on the last. */
export function useFilteredView(log: LiveLog, filter: LiveFilter): FilteredView {
  const last = useRef<FilteredView | undefined>(undefined);
  const current = last.current;
  if (current && current.log === log && current.filter === filter) return current;
  const view = filterLog(log, filter, current);
  last.current = view;
  return view;
}
