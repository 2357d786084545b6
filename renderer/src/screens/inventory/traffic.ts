import type { StatsView } from '../../../../shared/contract/admin-api.js';

export interface TrafficPoint {
  readonly start: string;
  readonly total: number;
  readonly failed: number;
}

/** Per integration, deliveries and rejections per bucket summed over the fleet's nodes, oldest first; quiet buckets of `window` count as zero. */
export function trafficByIntegration(stats: readonly StatsView[], window?: { since: number; until: number; stepSeconds: number }): Map<string, TrafficPoint[]> {
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
    const stepMs = window.stepSeconds * 1000;
    for (const buckets of byIntegration.values()) {
      for (let start = Math.floor(window.since / stepMs) * stepMs; start <= window.until; start += stepMs) {
        const key = new Date(start).toISOString();
        if (!buckets.has(key)) buckets.set(key, { total: 0, failed: 0 });
      }
    }
  }
  return new Map(
    [...byIntegration.entries()].map(([integrationId, buckets]) => [
      integrationId,
      [...buckets.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([start, counts]) => ({ start, ...counts })),
    ]),
  );
}
