import type Database from 'better-sqlite3';
import type { DeliveryRecord } from '../delivery-record.js';

/**
 * Rejected source addresses kept per minute at most. A spray of addresses cannot grow the table past
 * this: the minute's summary is a space-saving sketch (a new address replaces the least counted one
 * and inherits its count), so every address with more than 1/REJECTED_SOURCES_PER_MINUTE of the
 * minute's rejections is kept, and a kept address is never undercounted (it may be overcounted by
 * the count it inherited).
 */
export const REJECTED_SOURCES_PER_MINUTE = 32;

/** Skew buckets per doubling: each bucket spans at most 2^(1/8) − 1 ≈ 9 % of its values. */
const SKEW_BUCKETS_PER_OCTAVE = 8;

/**
 * Signed skew (ms) → histogram bucket, monotone in the skew: 0 holds |skew| < 1 ms, ±n the
 * magnitudes in [2^((n−1)/8), 2^(n/8)). A skew of years still lands under bucket ±400.
 */
export function skewBucket(skewMs: number): number {
  const magnitude = Math.abs(skewMs);
  if (magnitude < 1) return 0;
  return Math.sign(skewMs) * (1 + Math.floor(SKEW_BUCKETS_PER_OCTAVE * Math.log2(magnitude)));
}

interface SkewCell {
  count: number;
  min: number;
  max: number;
}

/**
 * The per-minute aggregates every statistic of the admin API is read from: counts by outcome, by
 * verifying secret, diagnoses, a skew histogram and the rejected sources. Written with each batch,
 * inside its transaction, so the statistics never need the log itself.
 */
export class MinuteStats {
  private readonly statements;

  constructor(db: Database.Database) {
    this.statements = {
      addOutcome: db.prepare(`INSERT INTO stats_minute (minute, integration_id, outcome, reason, count) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (minute, integration_id, outcome, reason) DO UPDATE SET count = count + excluded.count`),
      addSecret: db.prepare(`INSERT INTO stats_secret_minute (minute, integration_id, secret_id, count) VALUES (?, ?, ?, ?)
        ON CONFLICT (minute, integration_id, secret_id) DO UPDATE SET count = count + excluded.count`),
      addDiagnosis: db.prepare(`INSERT INTO stats_diagnosis_minute (minute, integration_id, diagnosis, count) VALUES (?, ?, ?, ?)
        ON CONFLICT (minute, integration_id, diagnosis) DO UPDATE SET count = count + excluded.count`),
      addSkew: db.prepare(`INSERT INTO stats_skew_minute (minute, bucket, count, min, max) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (minute, bucket) DO UPDATE SET count = count + excluded.count, min = min(min, excluded.min), max = max(max, excluded.max)`),
      sourcesOfMinute: db.prepare('SELECT source_ip, count FROM stats_source_minute WHERE minute = ?'),
      setSource: db.prepare('INSERT OR REPLACE INTO stats_source_minute (minute, source_ip, count) VALUES (?, ?, ?)'),
      dropSource: db.prepare('DELETE FROM stats_source_minute WHERE minute = ? AND source_ip = ?'),
      takeOutcome: db.prepare(`UPDATE stats_minute SET count = count - 1 WHERE minute = ? AND integration_id = ? AND outcome = ? AND reason = '' AND count > 0`),
      purge: ['stats_minute', 'stats_secret_minute', 'stats_diagnosis_minute', 'stats_skew_minute', 'stats_source_minute'].map((table) =>
        db.prepare(`DELETE FROM ${table} WHERE minute <= ?`),
      ),
    } as const;
  }

  /** Adds one batch to the aggregates; runs inside the batch's transaction. */
  add(records: Iterable<DeliveryRecord>): void {
    const outcomes = new Map<string, number>();
    const secrets = new Map<string, number>();
    const diagnoses = new Map<string, number>();
    const skews = new Map<string, SkewCell>();
    const sources = new Map<number, Map<string, number>>();
    for (const record of records) {
      const minute = Math.floor(record.receivedAt / 60_000);
      const integrationId = record.integrationId;
      increment(outcomes, `${minute}\u0000${integrationId ?? ''}\u0000${record.outcome}\u0000${record.reason ?? ''}`);
      // Which secret verifies what is how far a rotation's cutover has got: count verified deliveries only.
      if (record.secretId !== null && integrationId !== null && record.status < 400) increment(secrets, `${minute}\u0000${integrationId}\u0000${record.secretId}`);
      if (record.diagnosis !== null && integrationId !== null) increment(diagnoses, `${minute}\u0000${integrationId}\u0000${record.diagnosis}`);
      if (record.skewMs !== null) addSkew(skews, `${minute}\u0000${skewBucket(record.skewMs)}`, record.skewMs);
      if (record.outcome === 'rejected') {
        const ofMinute = sources.get(minute) ?? new Map<string, number>();
        sources.set(minute, ofMinute);
        increment(ofMinute, record.sourceIp);
      }
    }
    const { addOutcome, addSecret, addDiagnosis, addSkew: addSkewRow } = this.statements;
    for (const [key, count] of outcomes) {
      const [minute, integrationId, outcome, reason] = key.split('\u0000') as [string, string, string, string];
      addOutcome.run(Number(minute), integrationId, outcome, reason, count);
    }
    for (const [key, count] of secrets) {
      const [minute, integrationId, secretId] = key.split('\u0000') as [string, string, string];
      addSecret.run(Number(minute), integrationId, secretId, count);
    }
    for (const [key, count] of diagnoses) {
      const [minute, integrationId, diagnosis] = key.split('\u0000') as [string, string, string];
      addDiagnosis.run(Number(minute), integrationId, diagnosis, count);
    }
    for (const [key, cell] of skews) {
      const [minute, bucket] = key.split('\u0000') as [string, string];
      addSkewRow.run(Number(minute), Number(bucket), cell.count, cell.min, cell.max);
    }
    for (const [minute, counts] of sources) this.addSources(minute, counts);
  }

  /** A delivery accepted (or held) that another node accepted too: it moves to duplicate/superseded. */
  supersede(receivedAt: number, integrationId: string | null, outcome: string): void {
    const minute = Math.floor(receivedAt / 60_000);
    this.statements.takeOutcome.run(minute, integrationId ?? '', outcome);
    this.statements.addOutcome.run(minute, integrationId ?? '', 'duplicate', 'superseded', 1);
  }

  /** Drops the aggregates of minutes up to `oldestMinute`, inclusive. */
  purge(oldestMinute: number): number {
    return this.statements.purge.reduce((rows, statement) => rows + statement.run(oldestMinute).changes, 0);
  }

  /**
   * Space-saving over the minute's stored summary (at most REJECTED_SOURCES_PER_MINUTE rows, read back
   * in the transaction, so a rolled-back batch leaves nothing behind in memory either).
   */
  private addSources(minute: number, batch: ReadonlyMap<string, number>): void {
    const summary = new Map((this.statements.sourcesOfMinute.all(minute) as { source_ip: string; count: number }[]).map((row) => [row.source_ip, row.count]));
    const changed = new Set<string>();
    const dropped = new Set<string>();
    for (const [sourceIp, count] of batch) {
      const known = summary.get(sourceIp);
      if (known !== undefined || summary.size < REJECTED_SOURCES_PER_MINUTE) {
        summary.set(sourceIp, (known ?? 0) + count);
      } else {
        const [leastIp, leastCount] = least(summary);
        summary.delete(leastIp);
        changed.delete(leastIp);
        dropped.add(leastIp);
        summary.set(sourceIp, leastCount + count);
      }
      dropped.delete(sourceIp);
      changed.add(sourceIp);
    }
    for (const sourceIp of dropped) this.statements.dropSource.run(minute, sourceIp);
    for (const sourceIp of changed) this.statements.setSource.run(minute, sourceIp, summary.get(sourceIp));
  }
}

function increment(counts: Map<string, number>, key: string, by = 1): void {
  counts.set(key, (counts.get(key) ?? 0) + by);
}

function addSkew(cells: Map<string, SkewCell>, key: string, skewMs: number): void {
  const cell = cells.get(key);
  if (!cell) {
    cells.set(key, { count: 1, min: skewMs, max: skewMs });
    return;
  }
  cell.count++;
  cell.min = Math.min(cell.min, skewMs);
  cell.max = Math.max(cell.max, skewMs);
}

/** The least counted entry (the first of equals): the one space-saving replaces. */
function least(summary: ReadonlyMap<string, number>): [string, number] {
  let found: [string, number] = ['', Number.POSITIVE_INFINITY];
  for (const entry of summary) if (entry[1] < found[1]) found = entry;
  return found;
}

/**
 * Fills the diagnosis, skew and source aggregates from the log rows themselves: a log written
 * before they existed (the migration), or one generated in SQL (the bench's prefill). Exact, since
 * it sees every row: the sources keep each minute's top addresses.
 */
export function aggregateLoggedMinutes(db: Database.Database): void {
  db.function('skew_bucket', { deterministic: true }, (skewMs) => skewBucket(Number(skewMs)));
  db.exec(`
    INSERT INTO stats_diagnosis_minute (minute, integration_id, diagnosis, count)
      SELECT CAST(received_at / 60000 AS INTEGER), integration_id, diagnosis, count(*) FROM deliveries
      WHERE diagnosis IS NOT NULL AND integration_id IS NOT NULL GROUP BY 1, 2, 3;
    INSERT INTO stats_skew_minute (minute, bucket, count, min, max)
      SELECT CAST(received_at / 60000 AS INTEGER), skew_bucket(skew_ms), count(*), min(skew_ms), max(skew_ms) FROM deliveries
      WHERE skew_ms IS NOT NULL GROUP BY 1, 2;
    INSERT INTO stats_source_minute (minute, source_ip, count)
      SELECT minute, source_ip, count FROM (
        SELECT minute, source_ip, count, row_number() OVER (PARTITION BY minute ORDER BY count DESC, source_ip) AS rank FROM (
          SELECT CAST(received_at / 60000 AS INTEGER) AS minute, source_ip, count(*) AS count FROM deliveries WHERE outcome = 'rejected' GROUP BY 1, 2))
      WHERE rank <= ${REJECTED_SOURCES_PER_MINUTE};
  `);
}
