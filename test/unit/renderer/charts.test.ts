import { describe, expect, it } from 'vitest';
import type { StatsView } from '../../../shared/contract/admin-api.js';
import type { Outcome, Reason } from '../../../shared/model/outcomes.js';
import { diagnosisSummary, failureSeries, stackedRows, topRejectedSources } from '../../../renderer/src/screens/failures/failure-series.js';
import { cutoverSeries, cutoverWindow, retireVerdict } from '../../../renderer/src/screens/integration/cutover.js';
import { trafficByIntegration } from '../../../renderer/src/screens/inventory/traffic.js';

const T0 = Date.parse('2026-11-24T10:00:00Z');
const MINUTE = 60_000;
const at = (minutes: number) => new Date(T0 + minutes * MINUTE).toISOString();

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

const bucket = (minute: number, reason: Reason | null, count: number, outcome: Outcome = 'rejected', integrationId = 'pay') => ({ start: at(minute), integrationId, outcome, reason, count });

describe('the failures chart', () => {
  it('stacks rejected deliveries by reason across nodes, zero-filling quiet buckets', () => {
    const series = failureSeries(
      [stats({ buckets: [bucket(1, 'signature_invalid', 2), bucket(1, null, 50, 'accepted')] }), stats({ buckets: [bucket(1, 'timestamp_stale', 1), bucket(2, 'signature_invalid', 1)] })],
      { since: T0, until: T0 + 3 * MINUTE, stepSeconds: 60 },
    );
    expect(series.reasons).toEqual([
      { reason: 'signature_invalid', count: 3 },
      { reason: 'timestamp_stale', count: 1 },
    ]);
    expect(series.points.map((point) => point.total)).toEqual([0, 3, 1, 0]);
    expect(series.byIntegration).toEqual([{ integrationId: 'pay', count: 4 }]);
  });

  it('gives every reason a value in every row, so that the stacked areas never break', () => {
    const series = failureSeries([stats({ buckets: [bucket(0, 'signature_invalid', 2), bucket(1, 'timestamp_stale', 1)] })]);
    expect(stackedRows(series)).toEqual([
      { start: at(0), signature_invalid: 2, timestamp_stale: 0 },
      { start: at(1), signature_invalid: 0, timestamp_stale: 1 },
    ]);
  });

  it('marks a bucket with more than three times the median of the buckets that had failures as a spike', () => {
    const quietHour = { since: T0, until: T0 + 60 * MINUTE, stepSeconds: 60 };
    const series = failureSeries(
      [stats({ buckets: [bucket(0, 'signature_invalid', 2), bucket(10, 'signature_invalid', 3), bucket(20, 'signature_invalid', 2), bucket(30, 'signature_invalid', 7), bucket(40, 'signature_invalid', 40)] })],
      quietHour,
    );
    expect(series.median).toBe(3);
    expect(series.points.filter((point) => point.spike).map((point) => point.start)).toEqual([at(40)]);
  });

  it('marks no spike while there are too few failing buckets to know what is usual', () => {
    const series = failureSeries([stats({ buckets: [bucket(0, 'signature_invalid', 1), bucket(1, 'signature_invalid', 50)] })]);
    expect(series.points.some((point) => point.spike)).toBe(false);
  });

  it('sums the diagnoses and the refused source addresses of every node', () => {
    const views = [
      stats({ diagnoses: [{ integrationId: 'pay', diagnosis: 'secret_whitespace', count: 2 }], topRejectedSources: [{ sourceIp: '10.0.0.1', count: 5 }, { sourceIp: '10.0.0.2', count: 1 }] }),
      stats({ diagnoses: [{ integrationId: 'pay', diagnosis: 'secret_whitespace', count: 3 }, { integrationId: 'gh', diagnosis: 'body_reserialized_json', count: 1 }], topRejectedSources: [{ sourceIp: '10.0.0.2', count: 6 }] }),
    ];
    expect(diagnosisSummary(views)).toEqual([
      { integrationId: 'pay', diagnosis: 'secret_whitespace', count: 5 },
      { integrationId: 'gh', diagnosis: 'body_reserialized_json', count: 1 },
    ]);
    expect(topRejectedSources(views, 1)).toEqual([{ sourceIp: '10.0.0.2', count: 7 }]);
  });
});

describe('the rotation cutover', () => {
  const bySecret = (minute: number, secretId: string, count: number) => ({ start: at(minute), integrationId: 'pay', secretId, count });

  it('gives each secret\'s share of verified deliveries per bucket, over every node, and leaves quiet buckets empty', () => {
    const series = cutoverSeries(
      [stats({ bySecret: [bySecret(0, 'old', 3), bySecret(0, 'new', 1), { ...bySecret(0, 'x', 9), integrationId: 'other' }] }), stats({ bySecret: [bySecret(0, 'new', 4)] })],
      'pay',
      { since: T0, until: T0 + MINUTE, stepSeconds: 60 },
    );
    expect(series).toEqual([
      { start: at(0), total: 8, shares: { old: 3 / 8, new: 5 / 8 } },
      { start: at(1), total: 0, shares: {} },
    ]);
  });

  it('calls retiring safe only once the old secret verified nothing for a quarter hour and the new one did', () => {
    const series = cutoverSeries([stats({ bySecret: [bySecret(0, 'old', 5), bySecret(10, 'new', 5), bySecret(20, 'new', 5)] })], 'pay');
    expect(retireVerdict(series, 'old', 'new', T0 + 14 * MINUTE)).toBe('in-use');
    expect(retireVerdict(series, 'old', 'new', T0 + 20 * MINUTE)).toBe('safe');
    expect(retireVerdict(series, 'old', 'new', T0 + 60 * MINUTE)).toBe('no-traffic');
  });

  it('charts from half an hour before the rotation in about a hundred whole-minute buckets, at most a week back', () => {
    const now = T0;
    expect(cutoverWindow(now - 10 * MINUTE, now)).toEqual({ since: now - 60 * MINUTE, stepSeconds: 60 });
    const dayAgo = cutoverWindow(now - 24 * 60 * MINUTE, now);
    expect(dayAgo.stepSeconds % 60).toBe(0);
    expect((now - dayAgo.since) / (dayAgo.stepSeconds * 1000)).toBeLessThanOrEqual(97);
    expect(now - cutoverWindow(now - 30 * 24 * 60 * MINUTE, now).since).toBeLessThanOrEqual(7 * 24 * 60 * MINUTE + 2 * 60 * MINUTE);
  });
});

describe('the inventory sparklines', () => {
  it('sum deliveries and failures per bucket over every node, oldest first, with the failure rate of each', () => {
    const traffic = trafficByIntegration([stats({ buckets: [bucket(60, null, 5, 'accepted'), bucket(0, 'signature_invalid', 1)] }), stats({ buckets: [bucket(0, null, 3, 'accepted')] })]);
    expect(traffic.get('pay')).toEqual([
      { start: at(0), total: 4, failed: 1, failureRate: 0.25 },
      { start: at(60), total: 5, failed: 0, failureRate: 0 },
    ]);
  });

  it('draws quiet hours as zero deliveries and no failure rate', () => {
    const traffic = trafficByIntegration([stats({ buckets: [bucket(0, null, 2, 'accepted')] })], { since: T0, until: T0 + 60 * MINUTE, stepSeconds: 3_600 });
    expect(traffic.get('pay')?.[1]).toEqual({ start: at(60), total: 0, failed: 0, failureRate: null });
  });
});
