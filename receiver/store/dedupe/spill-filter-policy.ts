/** A filter at its configured size is made again once it took this share of its capacity in keys the spill no longer holds. */
const REMAKE_GONE_SHARE = 0.25;

/** What the spill thread knows, at an extend, of its filter of spilled digests (digest-filter.ts) and of the spill. */
export interface SpillFilterState {
  /** Keys the filter is sized for; undefined before the first extend made one. */
  readonly capacity: number | undefined;
  /** Keys the filter may be sized for at most (configuration). */
  readonly maxKeys: number;
  /** Keys added to the filter since it was made, with those it was made with (a digest added twice counts twice). */
  readonly filterKeys: number;
  /** Keys the spill holds now. */
  readonly spillKeys: number;
  /** At most the keys the extend adds. */
  readonly incoming: number;
}

/**
 * Whether the spill thread makes its filter again, from every run, before an extend: when it has none, or when the
 * extend's keys would overfill it and either a new one can be larger, or, at its configured size, it took a good share
 * of its capacity in keys the spill no longer holds (runs that expired whole, expired keys a merge left out) and a new
 * one would hold the spill without being overfull: it then rules out more. Otherwise a filter at its size would be made
 * again from every run at every extend, no better: the extend's digests go into the one it has instead.
 * Judged by the keys gone rather than by merges (as when all runs were merged at once): a size-tiered merge of a few
 * small new runs drops few keys, most keys leave with old runs that expire whole, unmerged, and a spill far past the
 * filter's size gains nothing from a read of all of it.
 */
export function makesFilterAgain(state: SpillFilterState): boolean {
  const { capacity, maxKeys, filterKeys, spillKeys, incoming } = state;
  if (capacity === undefined) return true;
  if (filterKeys + incoming <= capacity) return false;
  if (capacity < maxKeys) return true;
  return filterKeys - spillKeys >= REMAKE_GONE_SHARE * capacity && spillKeys + incoming <= capacity;
}
