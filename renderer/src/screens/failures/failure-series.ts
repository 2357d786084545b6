import type { StatsView } from '../../../../shared/contract/admin-api.js';
import type { Diagnosis } from '../../../../shared/model/outcomes.js';

export interface FailurePoint {
  readonly start: string;
  readonly total: number;
  readonly spike: boolean;
  readonly byReason: Readonly<Record<string, number>>;
}

export interface FailureSeries {
  readonly points: readonly FailurePoint[];
  readonly reasons: readonly string[];
  readonly byIntegration: readonly { integrationId: string; count: number }[];
}

/** A bucket with more than this many times the median of non-empty buckets is marked as a spike. */
export const SPIKE_FACTOR = 3;

/**
 * Rejected deliveries of every node, per bucket and reason, with spikes marked. Buckets without a
 * failure are filled in as zeros, so the time axis is true and a single burst shows as a peak.
 */
export function failureSeries(stats: readonly StatsView[], window?: { since: number; until: number; stepSeconds: number }): FailureSeries {
  const buckets = new Map<string, Map<string, number>>();
  if (window) {
    const stepMs = window.stepSeconds * 1000;
    for (let start = Math.floor(window.since / stepMs) * stepMs; start <= window.until; start += stepMs) buckets.set(new Date(start).toISOString(), new Map());
  }
  const integrations = new Map<string, number>();
  for (const node of stats) {
    for (const row of node.buckets) {
      if (row.outcome !== 'rejected' || row.reason === null) continue;
      const bucket = buckets.get(row.start) ?? new Map<string, number>();
      bucket.set(row.reason, (bucket.get(row.reason) ?? 0) + row.count);
      buckets.set(row.start, bucket);
      integrations.set(row.integrationId, (integrations.get(row.integrationId) ?? 0) + row.count);
    }
  }
  const ordered = [...buckets.entries()].sort(([a], [b]) => a.localeCompare(b));
  const totals = ordered.map(([, reasons]) => [...reasons.values()].reduce((sum, count) => sum + count, 0));
  const sorted = totals.filter((total) => total > 0).sort((a, b) => a - b);
  // Against the median of buckets that had failures: quiet periods must not make every failure a spike.
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  return {
    points: ordered.map(([start, reasons], index) => ({
      start,
      total: totals[index] ?? 0,
      spike: sorted.length >= 3 && (totals[index] ?? 0) > SPIKE_FACTOR * median,
      byReason: Object.fromEntries(reasons),
    })),
    reasons: [...new Set(ordered.flatMap(([, reasons]) => [...reasons.keys()]))].sort(),
    byIntegration: [...integrations.entries()].map(([integrationId, count]) => ({ integrationId, count })).sort((a, b) => b.count - a.count),
  };
}

/** What a diagnosis means, in words an operator can act on. */
export const DIAGNOSIS_ADVICE: Record<Diagnosis, string> = {
  secret_whitespace: 'The configured secret has stray whitespace — check the environment variable or file for a trailing newline or space.',
  body_trailing_newline: 'A proxy or framework added or removed a trailing newline before the body reached the receiver — verify the raw bytes, before any parsing.',
  body_line_endings: 'Line endings in the body were converted on the way (CRLF/LF) — look for a proxy or middleware rewriting the body.',
  body_reserialized_json: 'The JSON body was parsed and re-serialised on the way — the receiver must see the raw bytes the sender signed.',
  other_integration_secret: 'Signed with another integration\'s secret — the sender is pointed at the wrong endpoint, or the secrets were swapped.',
};
