import type { StatsView } from '../../../../shared/contract/admin-api.js';
import type { Diagnosis, Reason } from '../../../../shared/model/outcomes.js';
import { bucketStarts, type BucketWindow } from '../../queries/time-window.js';

export interface FailurePoint {
  readonly start: string;
  readonly total: number;
  readonly spike: boolean;
  readonly byReason: Readonly<Partial<Record<Reason, number>>>;
}

export interface FailureSeries {
  readonly points: readonly FailurePoint[];
  /** Reasons seen in the window, most frequent first (the stack's order and the legend's). */
  readonly reasons: readonly { reason: Reason; count: number }[];
  readonly byIntegration: readonly { integrationId: string; count: number }[];
  /** Median of the buckets that had failures: what a spike is measured against. */
  readonly median: number;
}

/** A bucket with more than this many times the median of non-empty buckets is marked as a spike. */
export const SPIKE_FACTOR = 3;

/**
 * Rejected deliveries of every node, per bucket and reason, with spikes marked. Buckets without a
 * failure are filled in as zeros, so the time axis is true and a single burst shows as a peak.
 */
export function failureSeries(stats: readonly StatsView[], window?: BucketWindow): FailureSeries {
  const buckets = new Map<string, Map<Reason, number>>();
  if (window) for (const start of bucketStarts(window)) buckets.set(start, new Map());
  const integrations = new Map<string, number>();
  const reasons = new Map<Reason, number>();
  for (const node of stats) {
    for (const row of node.buckets) {
      if (row.outcome !== 'rejected' || row.reason === null) continue;
      const bucket = buckets.get(row.start) ?? new Map<Reason, number>();
      bucket.set(row.reason, (bucket.get(row.reason) ?? 0) + row.count);
      buckets.set(row.start, bucket);
      integrations.set(row.integrationId, (integrations.get(row.integrationId) ?? 0) + row.count);
      reasons.set(row.reason, (reasons.get(row.reason) ?? 0) + row.count);
    }
  }
  const ordered = [...buckets.entries()].sort(([a], [b]) => a.localeCompare(b));
  const totals = ordered.map(([, counts]) => [...counts.values()].reduce((sum, count) => sum + count, 0));
  const nonEmpty = totals.filter((total) => total > 0).sort((a, b) => a - b);
  // Against the median of buckets that had failures: quiet periods must not make every failure a spike.
  const median = nonEmpty[Math.floor(nonEmpty.length / 2)] ?? 0;
  return {
    points: ordered.map(([start, counts], index) => ({
      start,
      total: totals[index] ?? 0,
      spike: nonEmpty.length >= 3 && (totals[index] ?? 0) > SPIKE_FACTOR * median,
      byReason: Object.fromEntries(counts),
    })),
    reasons: [...reasons.entries()].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
    byIntegration: [...integrations.entries()].map(([integrationId, count]) => ({ integrationId, count })).sort((a, b) => b.count - a.count),
    median,
  };
}

/** The chart's rows: every reason in every row, since a missing value would break a stacked area. */
export function stackedRows(series: FailureSeries): Record<string, string | number>[] {
  return series.points.map((point) => ({
    start: point.start,
    ...Object.fromEntries(series.reasons.map(({ reason }) => [reason, point.byReason[reason] ?? 0])),
  }));
}

/** Diagnoses of every node, summed per integration and cause, most frequent first. */
export function diagnosisSummary(stats: readonly StatsView[]): { integrationId: string; diagnosis: Diagnosis; count: number }[] {
  const summed = new Map<string, { integrationId: string; diagnosis: Diagnosis; count: number }>();
  for (const node of stats) {
    for (const found of node.diagnoses) {
      const key = `${found.integrationId}\u0000${found.diagnosis}`;
      const entry = summed.get(key) ?? { integrationId: found.integrationId, diagnosis: found.diagnosis, count: 0 };
      entry.count += found.count;
      summed.set(key, entry);
    }
  }
  return [...summed.values()].sort((a, b) => b.count - a.count);
}

/** Source addresses of rejections over every node, summed, the `limit` most frequent. */
export function topRejectedSources(stats: readonly StatsView[], limit = 10): { sourceIp: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const node of stats) for (const source of node.topRejectedSources) counts.set(source.sourceIp, (counts.get(source.sourceIp) ?? 0) + source.count);
  return [...counts.entries()]
    .map(([sourceIp, count]) => ({ sourceIp, count }))
    .sort((a, b) => b.count - a.count || a.sourceIp.localeCompare(b.sourceIp))
    .slice(0, limit);
}
