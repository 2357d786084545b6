import type { StatsView } from '../../../../shared/contract/admin-api.js';
import { bucketStarts, type BucketWindow } from '../../queries/time-window.js';

export interface CutoverPoint {
  readonly start: string;
  /** Deliveries verified in this bucket, over every node. */
  readonly total: number;
  /** Share of the bucket's verified deliveries per secret id, 0..1; empty for a bucket without traffic. */
  readonly shares: Readonly<Record<string, number>>;
}

/** How long the old secret must have verified nothing before retiring it is called safe. */
export const QUIET_BEFORE_RETIRE_MS = 15 * 60_000;

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/**
 * The cutover chart's window: from a little before the rotation (or the last six hours when none
 * is under way), at most seven days, in about a hundred buckets of whole minutes.
 */
export function cutoverWindow(rotatedAt: number | undefined, now: number): { since: number; stepSeconds: number } {
  const start = rotatedAt === undefined ? now - 6 * HOUR_MS : Math.max(now - 7 * 24 * HOUR_MS, Math.min(rotatedAt - 30 * MINUTE_MS, now - HOUR_MS));
  const stepSeconds = Math.max(60, Math.ceil((now - start) / 96 / MINUTE_MS) * 60);
  const stepMs = stepSeconds * 1000;
  return { since: Math.floor(start / stepMs) * stepMs, stepSeconds };
}

/** Per time bucket, the share of deliveries each secret verified, summed over the fleet's nodes; quiet buckets of `window` are empty. */
export function cutoverSeries(stats: readonly StatsView[], integrationId: string, window?: BucketWindow): CutoverPoint[] {
  const buckets = new Map<string, Map<string, number>>();
  if (window) for (const start of bucketStarts(window)) buckets.set(start, new Map());
  for (const node of stats) {
    for (const row of node.bySecret) {
      if (row.integrationId !== integrationId) continue;
      const bucket = buckets.get(row.start) ?? new Map<string, number>();
      bucket.set(row.secretId, (bucket.get(row.secretId) ?? 0) + row.count);
      buckets.set(row.start, bucket);
    }
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([start, counts]) => {
      const total = [...counts.values()].reduce((sum, count) => sum + count, 0);
      return { start, total, shares: total === 0 ? {} : Object.fromEntries([...counts.entries()].map(([secretId, count]) => [secretId, count / total])) };
    });
}

/**
 * Whether the old secret can go: `safe` once it verified nothing in the last quarter hour while the
 * new one did; `in-use` while senders still sign with it; `no-traffic` when nothing was verified at
 * all, so there is no evidence either way.
 */
export type RetireVerdict = 'safe' | 'in-use' | 'no-traffic';

export function retireVerdict(series: readonly CutoverPoint[], oldSecretId: string, newSecretId: string, now: number): RetireVerdict {
  const recent = series.filter((point) => Date.parse(point.start) >= now - QUIET_BEFORE_RETIRE_MS);
  if (recent.some((point) => (point.shares[oldSecretId] ?? 0) > 0)) return 'in-use';
  return recent.some((point) => (point.shares[newSecretId] ?? 0) > 0) ? 'safe' : 'no-traffic';
}
