/** A run of the replay spill as spill_runs records it (spill-file.ts). */
export interface SpillRun {
  readonly run: number;
  /** Keys written into it, some of which may have expired since. */
  readonly keys: number;
  /** Its latest expiry (ms): the run is deleted whole at that time. */
  readonly maxUntil: number;
}

/**
 * An older neighbour joins the runs being merged while it holds at most this many times their keys, and at least their
 * keys divided by it. With equal extends the runs then behave as a binary counter: two runs of one size become one of
 * twice that size, so a key is rewritten about log2(spilled keys / keys per extend) times over its life. Above 1, so
 * that extends a little smaller than the ones before still pair up; below 2, so that a run is not merged with one of
 * half its size, then again and again. The lower bound keeps a large run from being rewritten to take in a small one
 * that expires just before it: the keys copied at start (migrated keys that outlive the log's) once made a run of 3.3
 * million that took in the next extend's 0.7 million, 4 million keys rewritten while the node was under load.
 */
const TIER_RATIO = 1.5;
/**
 * An older neighbour joins only while it has at least this share of the newest run's time left to live. One with less
 * holds keys that mostly expire soon: merged, they would be rewritten only to stay on disk, expired, until the newest
 * key beside them expires; left alone, the run goes whole, unwritten. In a simulation of 50k-key extends whose keys
 * live 60 extends (test-artifacts), this took the rows written per key from 4.4 to 3.5 and the rows on disk from 2x
 * the live keys to 1.25x (merging all runs past 8: 7.3 and 1.1x), at 5 runs on average instead of 3.6 (4.5).
 */
const LIFE_FRACTION = 0.75;

/**
 * The runs to merge into one after an extend at `now`, or none: adjacent in expiry order (maxUntil, then run), so that
 * a merged run still expires whole about when the newest of them would have, and runs of old keys go without a rewrite.
 * - Tiers: the latest-expiring run, and each next older one while it holds between 1/TIER_RATIO and TIER_RATIO times
 *   the keys of those taken so far and has LIFE_FRACTION of their time left (a size-tiered merge of the newest runs, in
 *   one statement rather than a cascade of pairs).
 * - Bound: when there are still more than `maxRuns` (a lookup seeks every run), the adjacent runs with the fewest keys
 *   between them, as many as bring the count back to `maxRuns`.
 * Called again after each merge until it returns none: a tier merge leaves its older neighbour out of reach, and the
 * bound merge leaves `maxRuns` runs, so at most two merges follow an extend.
 */
export function runsToMerge(runs: readonly SpillRun[], maxRuns: number, now: number): readonly SpillRun[] {
  const ordered = [...runs].sort((a, b) => a.maxUntil - b.maxUntil || a.run - b.run);
  const newest = ordered.at(-1);
  if (!newest) return [];
  let first = ordered.length - 1;
  let keys = newest.keys;
  const joins = (older: SpillRun): boolean =>
    older.keys <= TIER_RATIO * keys && older.keys * TIER_RATIO >= keys && older.maxUntil - now >= LIFE_FRACTION * (newest.maxUntil - now);
  while (first > 0 && joins(ordered[first - 1] as SpillRun)) keys += (ordered[--first] as SpillRun).keys;
  if (ordered.length - first >= 2) return ordered.slice(first);
  if (ordered.length <= maxRuns) return [];
  return fewestKeysAdjacent(ordered, ordered.length - maxRuns + 1);
}

/** The `count` adjacent runs of `ordered` with the fewest keys between them (the latest such on a tie). */
function fewestKeysAdjacent(ordered: readonly SpillRun[], count: number): readonly SpillRun[] {
  const sum = (from: number): number => ordered.slice(from, from + count).reduce((total, run) => total + run.keys, 0);
  let best = 0;
  for (let from = 1; from + count <= ordered.length; from++) if (sum(from) <= sum(best)) best = from;
  return ordered.slice(best, best + count);
}
