import type { StatsView } from '../../../../shared/contract/admin-api.js';

export interface CutoverPoint {
  readonly start: string;
  /** Share of verified deliveries per secret id in this bucket, 0..1. */
  readonly shares: Readonly<Record<string, number>>;
}

/** How long the old secret must have verified nothing before retiring it is called safe. */
export const QUIET_BEFORE_RETIRE_MS = 15 * 60_000;

/** Per time bucket, the share of deliveries each secret verified, summed over the fleet's nodes. */
export function cutoverSeries(stats: readonly StatsView[], integrationId: string): CutoverPoint[] {
  const buckets = new Map<string, Map<string, number>>();
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
      return { start, shares: Object.fromEntries([...counts.entries()].map(([secretId, count]) => [secretId, count / total])) };
    });
}

/** The old secret is safe to retire once it verified nothing in the last quarter hour (and the new one did). */
export function safeToRetire(series: readonly CutoverPoint[], oldSecretId: string, newSecretId: string, now: number): boolean {
  const recent = series.filter((point) => Date.parse(point.start) >= now - QUIET_BEFORE_RETIRE_MS);
  return recent.some((point) => (point.shares[newSecretId] ?? 0) > 0) && recent.every((point) => (point.shares[oldSecretId] ?? 0) === 0);
}
