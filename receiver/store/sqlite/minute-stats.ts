import type Database from 'better-sqlite3';

/**
 * Rejected source addresses kept per minute (and per hour) at most. A spray of addresses cannot grow
 * the summary past this: it is a space-saving sketch (a new address replaces the least counted one
 * and inherits its count), so every address with more than 1/REJECTED_SOURCES_PER_MINUTE of the
 * period's rejections is kept, and a kept address is never undercounted (it may be overcounted by
 * the count it inherited). Exact while a period has no more addresses than this.
 */
export const REJECTED_SOURCES_PER_MINUTE = 32;

/**
 * Deliveries logged before the aggregates are brought up to date. A flush rewrites the aggregates'
 * pages (four or more B-trees): once per 1,024 deliveries instead of once per commit of ~32. A read
 * adds at most this many rows (plus a batch) from the log.
 */
const STATS_FLUSH_ROWS = 1024;

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

/** `skewBucket` as an SQL function, so that SQLite groups skews by bucket without handing each row to JavaScript. */
function defineSkewBucket(db: Database.Database): void {
  db.function('skew_bucket', { deterministic: true }, (skewMs) => skewBucket(Number(skewMs)));
}

/** A skew histogram bucket: how many skews fell in it, and the smallest and largest of them. */
export interface SkewCell {
  count: number;
  min: number;
  max: number;
}

/** Bucket → cell. */
export type SkewHistogram = Map<number, SkewCell>;

/**
 * A minute's histogram is one row (bucket, count, min, max as float64s, by bucket): 24 hours are
 * 1,440 rows to read, not one per bucket and minute.
 */
export function encodeSkewHistogram(histogram: SkewHistogram): Buffer {
  const values = new Float64Array(histogram.size * 4);
  let at = 0;
  for (const [bucket, cell] of [...histogram].sort((a, b) => a[0] - b[0])) {
    values.set([bucket, cell.count, cell.min, cell.max], at);
    at += 4;
  }
  return Buffer.from(values.buffer);
}

/** Adds a stored minute's histogram into `into`. */
export function mergeSkewHistogram(into: SkewHistogram, stored: Buffer): void {
  const values = new Float64Array(stored.buffer.slice(stored.byteOffset, stored.byteOffset + stored.byteLength));
  for (let at = 0; at + 3 < values.length; at += 4) addToCell(into, values[at] as number, values[at + 1] as number, values[at + 2] as number, values[at + 3] as number);
}

function addToCell(histogram: SkewHistogram, bucket: number, count: number, min: number, max: number): void {
  const cell = histogram.get(bucket);
  if (!cell) {
    histogram.set(bucket, { count, min, max });
    return;
  }
  cell.count += count;
  cell.min = Math.min(cell.min, min);
  cell.max = Math.max(cell.max, max);
}

/**
 * The skew histogram and the rejected sources are kept per minute and again per hour (keyed by the
 * hour's first minute): 24 hours read at most 59 minute rows and 25 hour rows. Both sketches of a
 * period share its row, so a commit rewrites one page per period, not one per sketch.
 */
export const PERIODS = [
  { suffix: 'minute', minutes: 1 },
  { suffix: 'hour', minutes: 60 },
] as const;

/** Stores a period's skew histogram, keeping its sources. */
const setSkewSql = (suffix: (typeof PERIODS)[number]['suffix']): string =>
  `INSERT INTO stats_sketch_${suffix} (minute, skew) VALUES (?, ?) ON CONFLICT (minute) DO UPDATE SET skew = excluded.skew`;

/** Adds one skew to a histogram. */
export function addSkew(histogram: SkewHistogram, skewMs: number): void {
  addToCell(histogram, skewBucket(skewMs), 1, skewMs, skewMs);
}

/**
 * The per-minute aggregates every statistic of the admin API is read from: counts by outcome, by
 * verifying secret, diagnoses, a skew histogram and the rejected sources. They count the log up to
 * the watermark and are brought up to date by `flush`, every so many deliveries rather than every
 * commit; reads add the rows after the watermark (the `_live` views of schema.ts), so they never
 * read more of the log than that tail.
 */
export class MinuteStats {
  private readonly statements;
  /** The watermark as last stored: when the next flush is due. */
  private through = 0;

  constructor(db: Database.Database) {
    defineSkewBucket(db);
    this.statements = {
      addOutcome: db.prepare(`INSERT INTO stats_minute (minute, integration_id, outcome, reason, count) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (minute, integration_id, outcome, reason) DO UPDATE SET count = count + excluded.count`),
      periods: PERIODS.map(({ suffix, minutes }) => ({
        minutes,
        skewOf: db.prepare(`SELECT skew FROM stats_sketch_${suffix} WHERE minute = ?`).pluck(),
        setSkew: db.prepare(setSkewSql(suffix)),
        sourcesOf: db.prepare(`SELECT sources FROM stats_sketch_${suffix} WHERE minute = ?`).pluck(),
        setSources: db.prepare(`INSERT INTO stats_sketch_${suffix} (minute, sources) VALUES (?, ?) ON CONFLICT (minute) DO UPDATE SET sources = excluded.sources`),
      })),
      // The same sums as the `_live` views of schema.ts add on a read (`WHERE true` keeps SQLite from reading ON CONFLICT as a join's ON).
      addTailOutcomes: db.prepare(`INSERT INTO stats_minute (minute, integration_id, outcome, reason, count)
        SELECT minute, coalesce(integration_id, ''), outcome, coalesce(reason, ''), count(*) FROM stats_tail WHERE true GROUP BY 1, 2, 3, 4
        ON CONFLICT (minute, integration_id, outcome, reason) DO UPDATE SET count = count + excluded.count`),
      // Which secret verifies what is how far a rotation's cutover has got: verified deliveries only.
      addTailSecrets: db.prepare(`INSERT INTO stats_secret_minute (minute, integration_id, secret_id, count)
        SELECT minute, integration_id, secret_id, count(*) FROM stats_tail
          WHERE secret_id IS NOT NULL AND integration_id IS NOT NULL AND status < 400 GROUP BY 1, 2, 3
        ON CONFLICT (minute, integration_id, secret_id) DO UPDATE SET count = count + excluded.count`),
      addTailDiagnoses: db.prepare(`INSERT INTO stats_diagnosis_minute (minute, integration_id, diagnosis, count)
        SELECT minute, integration_id, diagnosis, count(*) FROM stats_tail WHERE diagnosis IS NOT NULL AND integration_id IS NOT NULL GROUP BY 1, 2, 3
        ON CONFLICT (minute, integration_id, diagnosis) DO UPDATE SET count = count + excluded.count`),
      tailSkewCells: db
        .prepare(`SELECT minute, skew_bucket(skew_ms), count(*), min(skew_ms), max(skew_ms) FROM stats_tail WHERE skew_ms IS NOT NULL GROUP BY 1, 2`)
        .raw(),
      tailRejectedSources: db
        .prepare(`SELECT CAST(received_at / 60000 AS INTEGER), source_ip, count(*) FROM deliveries
          WHERE seq > (SELECT seq FROM stats_watermark) AND outcome = 'rejected' GROUP BY 1, 2 ORDER BY min(seq)`)
        .raw(),
      lastSeq: db.prepare('SELECT coalesce(max(seq), 0) FROM deliveries').pluck(),
      watermark: db.prepare('SELECT seq FROM stats_watermark').pluck(),
      markAggregated: db.prepare(MARK_AGGREGATED_SQL),
      // The log's newest rows gone (a purge that emptied it, or died before it got here): new rows reuse their seqs.
      followLog: db.prepare(`${MARK_AGGREGATED_SQL} WHERE seq > (SELECT coalesce(max(seq), 0) FROM deliveries)`),
      takeOutcome: db.prepare(`UPDATE stats_minute SET count = count - 1 WHERE minute = ? AND integration_id = ? AND outcome = ? AND reason = '' AND count > 0`),
      purge: [
        ...['stats_minute', 'stats_secret_minute', 'stats_diagnosis_minute', 'stats_sketch_minute'].map((table) => db.prepare(`DELETE FROM ${table} WHERE minute <= ?`)),
        // An hour goes when its last minute does.
        db.prepare('DELETE FROM stats_sketch_hour WHERE minute + 59 <= ?'),
      ],
    } as const;
    this.followLog();
  }

  /** After a batch was logged, inside its transaction: flushes once STATS_FLUSH_ROWS deliveries wait. */
  logged(lastSeq: number): void {
    if (lastSeq - this.through >= STATS_FLUSH_ROWS) this.flush();
  }

  /** Aggregates the rows logged after the watermark and moves it to the last row; runs inside a transaction. */
  flush(): void {
    if (this.statements.watermark.get() === this.statements.lastSeq.get()) return;
    this.add();
    this.statements.markAggregated.run();
    this.through = this.statements.watermark.get() as number;
  }

  /**
   * A watermark past the log's last row comes down to it: every row there is was aggregated, and a new
   * row may take a seq a purged one had (INTEGER PRIMARY KEY reuses them at the top). At start and after a purge.
   */
  followLog(): void {
    this.statements.followLog.run();
    this.through = this.statements.watermark.get() as number;
  }

  /**
   * The counts are summed by SQLite itself, straight into their tables: reading each tail row into
   * JavaScript (an object of nine properties per delivery) cost more than all the rest of a flush.
   * Only the sketches come to JavaScript, as a few grouped rows: skew cells, and rejected sources in
   * the order they first came (the order the space-saving summary takes them in).
   */
  private add(): void {
    const { addTailOutcomes, addTailSecrets, addTailDiagnoses, tailSkewCells, tailRejectedSources } = this.statements;
    addTailOutcomes.run();
    addTailSecrets.run();
    addTailDiagnoses.run();
    const skews = new Map<number, SkewHistogram>();
    for (const [minute, bucket, count, min, max] of tailSkewCells.all() as [number, number, number, number, number][]) {
      const ofMinute = skews.get(minute) ?? new Map<number, SkewCell>();
      skews.set(minute, ofMinute);
      addToCell(ofMinute, bucket, count, min, max);
    }
    const sources = new Map<number, Map<string, number>>();
    for (const [minute, sourceIp, count] of tailRejectedSources.all() as [number, string, number][]) {
      const ofMinute = sources.get(minute) ?? new Map<string, number>();
      sources.set(minute, ofMinute);
      ofMinute.set(sourceIp, count);
    }
    for (const period of this.statements.periods) {
      for (const [minute, histogram] of skews) {
        const key = minute - (minute % period.minutes);
        const merged: SkewHistogram = new Map();
        // The stored histogram is read back in the transaction: a rolled-back batch leaves nothing behind.
        const stored = period.skewOf.get(key) as Buffer | null | undefined;
        if (stored) mergeSkewHistogram(merged, stored);
        for (const [bucket, cell] of histogram) addToCell(merged, bucket, cell.count, cell.min, cell.max);
        period.setSkew.run(key, encodeSkewHistogram(merged));
      }
      for (const [minute, counts] of sources) {
        const key = minute - (minute % period.minutes);
        const stored = period.sourcesOf.get(key) as string | null | undefined;
        period.setSources.run(key, JSON.stringify(Object.fromEntries(addSources(stored ? (JSON.parse(stored) as Record<string, number>) : {}, counts))));
      }
    }
  }

  /**
   * A delivery accepted (or held) that another node accepted too: it moves to duplicate/superseded.
   * A row after the watermark is counted from the row itself, which the caller changes.
   */
  supersede(seq: number, receivedAt: number, integrationId: string | null, outcome: string): void {
    if (seq > (this.statements.watermark.get() as number)) return;
    const minute = Math.floor(receivedAt / 60_000);
    this.statements.takeOutcome.run(minute, integrationId ?? '', outcome);
    this.statements.addOutcome.run(minute, integrationId ?? '', 'duplicate', 'superseded', 1);
  }

  /** Drops the aggregates of minutes up to `oldestMinute`, inclusive. */
  purge(oldestMinute: number): number {
    return this.statements.purge.reduce((rows, statement) => rows + statement.run(oldestMinute).changes, 0);
  }
}

/** The watermark at the last row of the log: the aggregates count every row there is. */
const MARK_AGGREGATED_SQL = 'UPDATE stats_watermark SET seq = (SELECT coalesce(max(seq), 0) FROM deliveries)';

/** After the aggregates were filled from the whole log (a migration, the bench's prefill). */
export function markLogAggregated(db: Database.Database): void {
  db.exec(MARK_AGGREGATED_SQL);
}

/** Space-saving over a stored summary of at most REJECTED_SOURCES_PER_MINUTE addresses. */
function addSources(stored: Record<string, number>, batch: ReadonlyMap<string, number>): Map<string, number> {
  const summary = new Map(Object.entries(stored));
  for (const [sourceIp, count] of batch) {
    const known = summary.get(sourceIp);
    if (known !== undefined || summary.size < REJECTED_SOURCES_PER_MINUTE) {
      summary.set(sourceIp, (known ?? 0) + count);
    } else {
      const [leastIp, leastCount] = least(summary);
      summary.delete(leastIp);
      summary.set(sourceIp, leastCount + count);
    }
  }
  return summary;
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
  const minuteOf = 'CAST(received_at / 60000 AS INTEGER)';
  db.exec(`
    INSERT INTO stats_diagnosis_minute (minute, integration_id, diagnosis, count)
      SELECT ${minuteOf}, integration_id, diagnosis, count(*) FROM deliveries
      WHERE diagnosis IS NOT NULL AND integration_id IS NOT NULL GROUP BY 1, 2, 3;
  `);
  for (const { suffix, minutes } of PERIODS) {
    db.exec(`INSERT INTO stats_sketch_${suffix} (minute, sources)
      SELECT minute, json_group_object(source_ip, count) FROM (
        SELECT minute, source_ip, count, row_number() OVER (PARTITION BY minute ORDER BY count DESC, source_ip) AS rank FROM (
          SELECT ${minuteOf} / ${minutes} * ${minutes} AS minute, source_ip, count(*) AS count FROM deliveries WHERE outcome = 'rejected' GROUP BY 1, 2))
      WHERE rank <= ${REJECTED_SOURCES_PER_MINUTE} GROUP BY minute ORDER BY minute`);
  }
  defineSkewBucket(db);
  const cells = db
    .prepare(`SELECT ${minuteOf}, skew_bucket(skew_ms), count(*), min(skew_ms), max(skew_ms) FROM deliveries WHERE skew_ms IS NOT NULL GROUP BY 1, 2`)
    .raw()
    .all() as [number, number, number, number, number][];
  for (const { suffix, minutes } of PERIODS) {
    const periods = new Map<number, SkewHistogram>();
    for (const [minute, bucket, count, min, max] of cells) {
      const key = minute - (minute % minutes);
      const histogram = periods.get(key) ?? new Map<number, SkewCell>();
      periods.set(key, histogram);
      addToCell(histogram, bucket, count, min, max);
    }
    const setSkew = db.prepare(setSkewSql(suffix));
    for (const [key, histogram] of periods) setSkew.run(key, encodeSkewHistogram(histogram));
  }
}
