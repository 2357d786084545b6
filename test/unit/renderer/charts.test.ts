import { describe, expect, it } from 'vitest';
import type { StatsView } from '../../../shared/contract/admin-api.js';
import { failureSeries } from '../../../renderer/src/screens/failures/failure-series.js';
import { cutoverSeries, safeToRetire } from '../../../renderer/src/screens/integration/cutover.js';
import { trafficByIntegration } from '../../../renderer/src/screens/inventory/traffic.js';

const T0 = Date.parse('2026-11-24T10:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

function stats(fields: Partial<StatsView>): StatsView {
  return {
    nodeId: 'n',
    since: at(0),
    step: 60,
    buckets: [],
    bySecret: [],
    diagnoses: [],
    clockSkewMs: { count: 0, p50: null, p95: null, p99: null, max: null },
    replayCache: { hits: 0, size: 0 },
    topRejectedSources: [],
    ...fields,
  };
}

describe('the failures chart', () => {
  const bucket = (minute: number, reason: string | null, count: number, outcome: 'rejected' | 'accepted' = 'rejected') => ({
    start: at(minute),
    integrationId: 'pay',
    outcome,
    reason: reason as never,
    count,
  });

  it('stacks rejected deliveries by reason across nodes, zero-filling quiet buckets', () => {
    const series = failureSeries(
      [stats({ buckets: [bucket(1, 'signature_invalid', 2), bucket(1, null, 50, 'accepted')] }), stats({ buckets: [bucket(1, 'timestamp_stale', 1)] })],
      { since: T0, until: T0 + 3 * 60_000, stepSeconds: 60 },
    );
    expect(series.reasons).toEqual(['signature_invalid', 'timestamp_stale']);
    expect(series.points.map((point) => point.total)).toEqual([0, 3, 0, 0]);
    expect(series.points[1]?.byReason).toEqual({ signature_invalid: 2, timestamp_stale: 1 });
    expect(series.byIntegration).toEqual([{ integrationId: 'pay', count: 3 }]);
  });

  it('marks a bucket with more than three times the usual failures as a spike', () => {
    const series = failureSeries([stats({ buckets: [bucket(0, 'signature_invalid', 2), bucket(1, 'signature_invalid', 3), bucket(2, 'signature_invalid', 2), bucket(3, 'signature_invalid', 40)] })]);
    expect(series.points.map((point) => point.spike)).toEqual([false, false, false, true]);
  });
});

describe('the rotation cutover', () => {
  const bySecret = (minute: number, secretId: string, count: number) => ({ start: at(minute), integrationId: 'pay', secretId, count });

  it('gives each secret\'s share of verified deliveries per bucket, over every node', () => {
    const series = cutoverSeries([stats({ bySecret: [bySecret(0, 'old', 3), bySecret(0, 'new', 1)] }), stats({ bySecret: [bySecret(0, 'new', 4), bySecret(0, 'other', 9)] })], 'pay');
    expect(series).toEqual([{ start: at(0), shares: { old: 3 / 17, new: 5 / 17, other: 9 / 17 } }]);
  });

  it('calls retiring safe only once the old secret verified nothing for a quarter hour and the new one did', () => {
    const series = cutoverSeries([stats({ bySecret: [bySecret(0, 'old', 5), bySecret(10, 'new', 5), bySecret(20, 'new', 5)] })], 'pay');
    expect(safeToRetire(series, 'old', 'new', T0 + 14 * 60_000)).toBe(false);
    expect(safeToRetire(series, 'old', 'new', T0 + 20 * 60_000)).toBe(true);
  });
});

describe('the inventory sparklines', () => {
  it('sum deliveries and failures per bucket over every node, oldest first', () => {
    const row = (minute: number, outcome: 'accepted' | 'rejected', count: number) => ({ start: at(minute), integrationId: 'pay', outcome, reason: null, count });
    const traffic = trafficByIntegration([stats({ buckets: [row(60, 'accepted', 5), row(0, 'rejected', 1)] }), stats({ buckets: [row(0, 'accepted', 2)] })]);
    expect(traffic.get('pay')).toEqual([
      { start: at(0), total: 3, failed: 1 },
      { start: at(60), total: 5, failed: 0 },
    ]);
  });
});
