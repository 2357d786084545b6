import { commitWrites } from '../../../helpers/commit-writes.js';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StatsView } from '../../../../shared/contract/admin-api.js';
import type { DeliveryRecord } from '../../../../receiver/store/delivery-record.js';
import { deliveryRecord } from '../../../helpers/delivery-record.js';
import { SqliteDeliveryQueries } from '../../../../receiver/store/sqlite/delivery-queries.js';
import { LogWriter } from '../../../../receiver/store/sqlite/log-writer.js';
import { REJECTED_SOURCES_PER_MINUTE, skewBucket } from '../../../../receiver/store/sqlite/minute-stats.js';
import { migrate } from '../../../../receiver/store/sqlite/schema.js';

const T0 = Date.parse('2025-03-01T10:00:00Z');

const record = deliveryRecord;

const rejectedFrom = (sourceIp: string): Partial<DeliveryRecord> => ({ outcome: 'rejected', reason: 'signature_invalid', status: 401, secretId: null, sourceIp });

/** A deterministic spread of numbers in [0, 1). */
function* pseudoRandom(seed: number): Generator<number> {
  let state = seed;
  for (;;) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    yield state / 2_147_483_648;
  }
}

function nearestRank(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

describe('per-minute statistics', () => {
  let db: Database.Database;
  let writer: LogWriter;
  let queries: SqliteDeliveryQueries;
  beforeEach(() => {
    db = new Database(':memory:');
    migrate(db);
    writer = new LogWriter(db, { masterKey: Buffer.alloc(32, 7), redact: {} });
    queries = new SqliteDeliveryQueries(db, 'node-a', { now: () => T0 + 4 * 3_600_000, openCapture: () => { throw new Error('no captures here'); }, replayCacheSize: () => 0 });
  });
  afterEach(() => db.close());

  const stats = (since: number): StatsView => queries.stats({ since: new Date(since).toISOString(), step: 3600 });

  it('orders skew buckets by skew, each at most 2^(1/8) wide', () => {
    const skews = [-1e12, -90_000, -1000, -1.5, -0.5, 0, 0.5, 1, 1.09, 1000, 1090, 90_000, 1e12];
    const buckets = skews.map(skewBucket);
    expect([...buckets].sort((a, b) => a - b)).toEqual(buckets);
    // A value 2^(1/8) times larger is always in a later bucket: no bucket is wider.
    for (const skew of [1, 3, 1000, 1234.5, 90_000]) expect(skewBucket(skew * 1.0906)).toBeGreaterThan(skewBucket(skew));
    expect(Math.abs(skewBucket(-1e12))).toBeLessThan(400);
  });

  it('gives exact skew count and max, and percentiles within a bucket of the exact ones', () => {
    const random = pseudoRandom(42);
    const skews = Array.from({ length: 5000 }, () => Math.round(((random.next().value as number) ** 3) * 40_000 - 2000));
    // Several batches over several hours, so minutes and hours both hold parts of the window.
    for (let batch = 0; batch < 10; batch++) {
      commitWrites(writer, skews.slice(batch * 500, batch * 500 + 500).map((skewMs, index) => ({ record: record(batch * 500 + index, { receivedAt: T0 + (batch * 500 + index) * 2_000, skewMs }) })));
    }
    const sorted = [...skews].sort((a, b) => a - b);
    const view = stats(T0).clockSkewMs;
    expect(view.count).toBe(5000);
    expect(view.max).toBe(sorted.at(-1));
    for (const [p, value] of [
      [50, view.p50],
      [95, view.p95],
      [99, view.p99],
    ] as const) {
      const exact = nearestRank(sorted, p);
      expect(Math.abs((value ?? Number.NaN) - exact)).toBeLessThanOrEqual(Math.max(1, Math.abs(exact) * (2 ** (1 / 8) - 1)));
    }
  });

  it('keeps the rejected sources of a minute bounded under a spray of addresses, and the heavy senders in it', () => {
    const writes = Array.from({ length: 5000 }, (_, index) => ({
      // One in five from the same sender, the rest from as many addresses as there are requests.
      record: record(index, rejectedFrom(index % 5 === 0 ? '203.0.113.9' : `198.51.${Math.floor(index / 250)}.${index % 250}`)),
    }));
    for (let at = 0; at < writes.length; at += 250) commitWrites(writer, writes.slice(at, at + 250));
    const stored = db.prepare('SELECT sources FROM stats_sketch_minute').pluck().all() as string[];
    expect(stored).toHaveLength(1);
    expect(Object.keys(JSON.parse(stored[0] as string) as object).length).toBeLessThanOrEqual(REJECTED_SOURCES_PER_MINUTE);
    const top = stats(T0).topRejectedSources;
    expect(top[0]?.sourceIp).toBe('203.0.113.9');
    // Space-saving overcounts at most, never undercounts.
    expect(top[0]?.count).toBeGreaterThanOrEqual(1000);
  });

  it('reads a window starting mid-hour from minutes, then whole hours, with the old answers where they were exact', () => {
    const writes = Array.from({ length: 300 }, (_, index) => ({
      record: record(index, {
        receivedAt: T0 + index * 60_000,
        skewMs: (index % 7) * 100,
        ...(index % 4 === 0 ? { ...rejectedFrom(`10.0.0.${index % 3}`), diagnosis: 'secret_whitespace' as const } : {}),
      }),
    }));
    commitWrites(writer, writes);
    const since = T0 + 90 * 60_000 + 30_000;
    const inWindow = writes.map((write) => write.record).filter((entry) => entry.receivedAt >= T0 + 90 * 60_000);
    const view = stats(since);
    const rejected = inWindow.filter((entry) => entry.outcome === 'rejected');
    expect(view.diagnoses).toEqual([{ integrationId: 'pay', diagnosis: 'secret_whitespace', count: rejected.length }]);
    expect(view.clockSkewMs.count).toBe(inWindow.length);
    const sorted = inWindow.map((entry) => entry.skewMs as number).sort((a, b) => a - b);
    // Each bucket here holds one value: the percentiles are exact.
    expect(view.clockSkewMs).toMatchObject({ p50: nearestRank(sorted, 50), p95: nearestRank(sorted, 95), max: 600 });
    const bySource = new Map<string, number>();
    for (const entry of rejected) bySource.set(entry.sourceIp, (bySource.get(entry.sourceIp) ?? 0) + 1);
    expect(view.topRejectedSources).toEqual(
      [...bySource].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([sourceIp, count]) => ({ sourceIp, count })),
    );
  });

  it('fills the aggregates of a log written before they existed', () => {
    commitWrites(writer, 
      Array.from({ length: 200 }, (_, index) => ({
        record: record(index, {
          receivedAt: T0 + index * 45_000,
          skewMs: index * 37 - 500,
          ...(index % 3 === 0 ? { ...rejectedFrom(`10.0.${index % 5}.1`), diagnosis: 'body_trailing_newline' as const } : {}),
        }),
      })),
    );
    const before = stats(T0 + 10 * 60_000);
    // Version 3 wrote the counts with every commit: a purge that removes nothing stores them (it flushes first).
    writer.purge({ now: T0, logRetentionMs: 86_400_000, replayWindowMs: 86_400_000, maxBytes: undefined });
    db.exec(`DROP VIEW stats_minute_live; DROP VIEW stats_secret_minute_live; DROP VIEW stats_diagnosis_minute_live; DROP VIEW stats_tail;
      DROP TABLE stats_watermark; DROP TABLE stats_diagnosis_minute; DROP TABLE stats_sketch_minute; DROP TABLE stats_sketch_hour;
      DROP INDEX deliveries_request_id_before; DROP TABLE store_identity; DROP INDEX deliveries_by_capture_expiry; PRAGMA user_version = 3;`);
    migrate(db);
    expect(stats(T0 + 10 * 60_000)).toEqual(before);
  });

  it('stores the aggregates every so many deliveries, and counts the log after them on every read', () => {
    const stored = (): number => db.prepare('SELECT coalesce(sum(count), 0) FROM stats_minute').pluck().get() as number;
    const watermark = (): number => db.prepare('SELECT seq FROM stats_watermark').pluck().get() as number;
    const expected = (count: number): Partial<StatsView> => ({
      buckets: [{ start: new Date(T0).toISOString(), integrationId: 'pay', outcome: 'accepted', reason: null, count }],
      bySecret: [{ start: new Date(T0).toISOString(), integrationId: 'pay', secretId: 's1', count }],
    });
    let logged = 0;
    const commit = (size: number): void => {
      commitWrites(writer, Array.from({ length: size }, (_, index) => ({ record: record(logged + index, { skewMs: 3 }) })));
      logged += size;
    };
    commit(32);
    // A commit no longer rewrites the aggregates' pages; a read still sees every delivery.
    expect(stored()).toBe(0);
    expect(stats(T0)).toMatchObject(expected(32));
    while (watermark() === 0) commit(32);
    expect(stored()).toBe(logged);
    expect(watermark()).toBe(logged);
    commit(32);
    expect(stored()).toBe(logged - 32);
    expect(stats(T0)).toMatchObject({ ...expected(logged), clockSkewMs: { count: logged, p50: 3, p95: 3, p99: 3, max: 3 } });
  });

  it('moves a superseded delivery once, whether its minute was stored or not', () => {
    const seqs = commitWrites(writer, Array.from({ length: 1100 }, (_, index) => ({ record: record(index) })));
    const tail = commitWrites(writer, [{ record: record(1100) }]);
    expect(db.prepare('SELECT seq FROM stats_watermark').pluck().get()).toBe(seqs.at(-1));
    writer.supersede([seqs[0] as number, tail[0] as number]);
    writer.supersede([seqs[0] as number, tail[0] as number]);
    const counts = stats(T0).buckets.map(({ outcome, reason, count }) => ({ outcome, reason, count }));
    expect(counts).toEqual([
      { outcome: 'accepted', reason: null, count: 1099 },
      { outcome: 'duplicate', reason: 'superseded', count: 2 },
    ]);
  });

  it('counts every delivery when the purge empties the log and seqs start again', () => {
    commitWrites(writer, Array.from({ length: 40 }, (_, index) => ({ record: record(index) })));
    writer.purge({ now: T0 + 2 * 86_400_000, logRetentionMs: 86_400_000, replayWindowMs: 86_400_000, maxBytes: undefined });
    expect(db.prepare('SELECT count(*) FROM deliveries').pluck().get()).toBe(0);
    commitWrites(writer, Array.from({ length: 5 }, (_, index) => ({ record: record(index, { receivedAt: T0 + 2 * 86_400_000 }) })));
    expect(stats(T0 + 86_400_000).buckets.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(5);
  });

  it('counts new deliveries after a purge died between emptying the log and moving the watermark', () => {
    commitWrites(writer, Array.from({ length: 1_100 }, (_, index) => ({ record: record(index) })));
    // What such a purge leaves: the rows gone, the watermark still at the last of them.
    db.exec('DELETE FROM deliveries; DELETE FROM stats_minute; DELETE FROM stats_secret_minute;');
    const restarted = new LogWriter(db, { masterKey: Buffer.alloc(32, 7), redact: {} });
    commitWrites(restarted, Array.from({ length: 5 }, (_, index) => ({ record: record(index) })));
    expect(stats(T0).buckets.map((bucket) => bucket.count)).toEqual([5]);
  });

    it('purges the aggregates with the log, an hour once its last minute is gone', () => {
    commitWrites(writer, Array.from({ length: 180 }, (_, index) => ({ record: record(index, { receivedAt: T0 + index * 60_000, skewMs: 5, ...rejectedFrom('10.0.0.1') }) })));
    writer.purge({ now: T0 + 90 * 60_000 + 86_400_000, logRetentionMs: 86_400_000, replayWindowMs: 86_400_000, maxBytes: undefined });
    const minutes = (table: string): number[] => db.prepare(`SELECT minute FROM ${table} ORDER BY minute`).pluck().all() as number[];
    const firstKept = T0 / 60_000 + 91;
    expect(minutes('stats_sketch_minute')[0]).toBe(firstKept);
    expect(minutes('stats_sketch_hour')).toEqual([T0 / 60_000 + 60, T0 / 60_000 + 120]);
  });
});
