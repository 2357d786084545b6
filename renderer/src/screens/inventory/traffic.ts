import type { StatsView } from '../../../../shared/contract/admin-api.js';
import { bucketStarts, type BucketWindow } from '../../queries/time-window.js';

export interface TrafficPoint {
  readonly start: string;
  readonly total: number;
  readonly failed: number;
  /** Rejected share of the bucket's deliveries, 0..1; null for a bucket without traffic. */
  readonly failureRate: number | null;
}

/** Per integration, deliveries and rejections per bucket summed over the fleet's nodes, oldest first; quiet buckets of `window` count as zero. */
export function trafficByIntegration(stats: readonly StatsView[], window?: BucketWindow): Map<string, TrafficPoint[]> {
  const byIntegration = new Map<string, Map<string, { total: number; failed: number }>>();
  for (const view of stats) {
    for (const row of view.buckets) {
      const buckets = byIntegration.get(row.integrationId) ?? new Map<string, { total: number; failed: number }>();
      const bucket = buckets.get(row.start) ?? { total: 0, failed: 0 };
      bucket.total += row.count;
      if (row.outcome === 'rejected') bucket.failed += row.count;
      buckets.set(row.start, bucket);
      byIntegration.set(row.integrationId, buckets);
    }
  }
  if (window) {
    const starts = bucketStarts(window);
    for (const buckets of byIntegration.values()) for (const start of starts) if (!buckets.has(start)) buckets.set(start, { total: 0, failed: 0 });
  }
  return new Map(
    [...byIntegration.entries()].map(([integrationId, buckets]) => [
      integrationId,
      [...buckets.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([start, counts]) => ({ start, ...counts, failureRate: counts.total === 0 ? null : counts.failed / counts.total })),
    ]),
  );
}
