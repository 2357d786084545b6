import type Database from 'better-sqlite3';
import { sealCapture, redactJsonFields } from '../capture-codec.js';
import { MinuteStats } from './minute-stats.js';
import { MultiRowInsert, type RowValue } from './multi-row-insert.js';
import { requestIdParams, seqOfRequestId } from './seq-of-request-id.js';
import { batchSize, ROW_COLUMNS, unpackDelivery, type PackedBatch, type PackedDelivery } from './packed-batch.js';

/** A log row's parameters: the columns the event loop packed, and the sealed capture. */
const DELIVERY_COLUMNS = ROW_COLUMNS + 1;
/** Chunked so that a purge never holds the write lock long enough to stall ingress. */
const CHUNK = 5_000;
const MAX_CHUNKS = 20;
/** After a ceiling purge, storage is brought down to this share of `maxBytes`, so it does not purge on every pass. */
const CEILING_TARGET = 0.9;

/**
 * The statements of the purge that runs every minute on the writer thread, inside its commits' sequence: each searches
 * an index, so a pass costs what it removes, never a walk through the log. Three of them used to walk it (the third,
 * the ceiling's, is below): the expired captures were sought from the first row that still had one to the log's end (the
 * rows whose capture had not expired yet), and the last seq before the replay window was a max() that SQLite answered
 * by reading the table backwards through the window. With a million rows a pass took the writer about a second, once a
 * minute, and every 202 of that second waited for it.
 */
export const PURGE_SQL = {
  oldRows: `DELETE FROM deliveries WHERE seq IN (SELECT seq FROM deliveries WHERE received_at <= ? AND outbox IS NULL LIMIT ${CHUNK})`,
  /** The seq of the last row received by then: rows are logged in the order they arrive (a clock set back makes it lower, never higher, than max(seq)). */
  lastSeqBefore: 'SELECT seq FROM deliveries WHERE received_at <= ? ORDER BY received_at DESC LIMIT 1',
  oldReplayKeys: 'DELETE FROM replay_log WHERE seq <= ? AND (seq > 0 OR until <= ?)',
  /** Through the index of capture expiries (schema 8); rows still in the outbox keep theirs until they leave it. */
  expiredCaptures: `UPDATE deliveries SET capture = NULL, capture_expires_at = NULL WHERE seq IN (
    SELECT seq FROM deliveries WHERE capture_expires_at <= ? AND outbox IS NULL ORDER BY capture_expires_at LIMIT ${CHUNK})`,
  /**
   * For the ceiling: the captures nearest their expiry (the oldest, where integrations keep theirs equally long), after
   * (@expiresAt, @seq), through the same index. Found by seq, the first capture was sought from the log's first row
   * past every row whose capture had gone.
   */
  nearestExpiryCaptures: `SELECT seq, length(capture) AS bytes, capture_expires_at AS expiresAt FROM deliveries
    WHERE capture_expires_at >= @expiresAt AND (capture_expires_at > @expiresAt OR seq > @seq) AND outbox IS NULL
    ORDER BY capture_expires_at, seq LIMIT 1000`,
} as const;

export interface PurgePolicy {
  readonly now: number;
  readonly logRetentionMs: number;
  /** The longest replay window of any integration: replay keys older than this are dead. */
  readonly replayWindowMs: number;
  /** Ceiling of the database's used bytes; captures are purged oldest first above it. */
  readonly maxBytes: number | undefined;
}

export interface PurgeResult {
  readonly rows: number;
  readonly captures: number;
  /** Captures purged because storage was over `maxBytes`, and their bytes. */
  readonly ceilingCaptures: number;
  readonly ceilingBytes: number;
  /** Used bytes after the purge. */
  readonly usedBytes: number;
}

export interface RedriveSelection {
  readonly integration: string;
  readonly since: number;
  readonly until: number;
  readonly outcomes: readonly ('accepted' | 'held')[];
  readonly requestIds: readonly string[] | null;
  readonly dryRun: boolean;
}

/** What the writer needs to seal captures: the master key and each integration's redacted fields. */
export interface SealingOptions {
  readonly masterKey: Buffer;
  readonly redact: Readonly<Record<string, readonly string[]>>;
}

/**
 * Every write to the delivery log, on one connection (the writer thread's). One delivery is one
 * appended row: log fields, its sealed capture and its outbox state as columns; a verified
 * delivery's replay keys go to the replay log under the same seq. The statistics are brought up to
 * date every so many deliveries, from the log itself (minute-stats.ts).
 */
export class LogWriter {
  /** Appends a batch in one transaction; resolves to the first delivery's seq (the batch's seqs follow on). */
  readonly commitPacked: (batch: PackedBatch) => number;
  private readonly statements;
  /** A batch's rows and replay keys go in a few multi-row statements, not one statement per delivery. */
  private readonly deliveries: MultiRowInsert;
  private readonly replayLog: MultiRowInsert;
  private readonly minuteStats: MinuteStats;

  constructor(
    private readonly db: Database.Database,
    private readonly sealing: SealingOptions,
  ) {
    // The body's sha256 is stored as its 32 bytes, not 64 hex digits (rows of earlier versions keep the text;
    // delivery-queries.ts reads both): that keeps a ~1 KB delivery's row well under a third of a 2 KB page.
    this.deliveries = new MultiRowInsert(
      db,
      `deliveries (request_id, integration_id, received_at, source_ip, method, path, headers, body_size, body_sha256,
        status, outcome, reason, detail, diagnosis, secret_id, delivery_id, skew_ms, latency_us, outbox, capture_expires_at, capture)`,
      '(?, ?, ?, ?, ?, ?, ?, ?, unhex(?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      DELIVERY_COLUMNS,
    );
    this.replayLog = new MultiRowInsert(db, 'replay_log (seq, until, keys)', '(?, ?, ?)', 3);
    this.statements = {
      markSent: db.prepare('UPDATE deliveries SET outbox = NULL WHERE seq = ?'),
      release: db.prepare('UPDATE deliveries SET outbox = 1 WHERE outbox = 2 AND integration_id = ?'),
      discard: db.prepare('UPDATE deliveries SET outbox = NULL WHERE outbox = 2 AND integration_id = ?'),
      oldRows: db.prepare(PURGE_SQL.oldRows),
      lastSeqBefore: db.prepare(PURGE_SQL.lastSeqBefore).pluck(),
      oldReplayKeys: db.prepare(PURGE_SQL.oldReplayKeys),
      expiredCaptures: db.prepare(PURGE_SQL.expiredCaptures),
      nearestExpiryCaptures: db.prepare(PURGE_SQL.nearestExpiryCaptures),
      dropCapture: db.prepare('UPDATE deliveries SET capture = NULL, capture_expires_at = NULL WHERE seq = ?'),
      redriveByTime: db.prepare(`SELECT seq FROM deliveries WHERE integration_id = @integration AND received_at >= @since AND received_at < @until
        AND outcome IN (SELECT value FROM json_each(@outcomes)) AND capture IS NOT NULL AND outbox IS NULL`).pluck(),
      redriveById: db.prepare(`SELECT seq FROM deliveries WHERE seq = (${seqOfRequestId(db)}) AND integration_id = @integration
        AND received_at >= @since AND received_at < @until
        AND outcome IN (SELECT value FROM json_each(@outcomes)) AND capture IS NOT NULL AND outbox IS NULL`).pluck(),
      supersedable: db.prepare(`SELECT received_at, integration_id, outcome FROM deliveries WHERE seq = ? AND outcome IN ('accepted', 'held')`),
      supersede: db.prepare(`UPDATE deliveries SET outcome = 'duplicate', reason = 'superseded', outbox = NULL WHERE seq = ?`),
      enqueue: db.prepare('UPDATE deliveries SET outbox = 1 WHERE seq = ? AND outbox IS NULL'),
      pageCount: db.prepare('PRAGMA page_count').pluck(),
      freePages: db.prepare('PRAGMA freelist_count').pluck(),
      pageSize: db.prepare('PRAGMA page_size').pluck(),
    } as const;
    this.minuteStats = new MinuteStats(db);
    this.commitPacked = db.transaction((batch: PackedBatch) => this.append(batch));
  }

  markSent(seqs: readonly number[]): void {
    this.db.transaction(() => {
      for (const seq of seqs) this.statements.markSent.run(seq);
    })();
  }

  /** Held → ready: their seq is older than anything accepted since, so they go first, in arrival order. */
  releaseHeld(integrationId: string): number {
    return this.statements.release.run(integrationId).changes;
  }

  discardHeld(integrationId: string): number {
    return this.statements.discard.run(integrationId).changes;
  }

  /**
   * Deliveries this node accepted that another node accepted too while this one was down (see
   * fleet-reconcile.ts): they become duplicates and leave the outbox, and the minute statistics
   * move with them. Only a row still accepted or held changes, so a row is moved once.
   */
  supersede(seqs: readonly number[]): number {
    return this.db.transaction(() => {
      let changed = 0;
      for (const seq of seqs) {
        const row = this.statements.supersedable.get(seq) as { received_at: number; integration_id: string | null; outcome: string } | undefined;
        if (!row) continue;
        this.statements.supersede.run(seq);
        changed++;
        this.minuteStats.supersede(seq, row.received_at, row.integration_id, row.outcome);
      }
      return changed;
    })();
  }

  /** Puts captured deliveries back in the outbox, each once: one already waiting there is not counted again. */
  redrive(selection: RedriveSelection): { matched: number; requeued: number } {
    return this.db.transaction(() => {
      const params = { integration: selection.integration, since: selection.since, until: selection.until, outcomes: JSON.stringify(selection.outcomes) };
      const seqs =
        selection.requestIds === null
          ? (this.statements.redriveByTime.all(params) as number[])
          : selection.requestIds.flatMap((requestId) => this.statements.redriveById.all({ ...params, ...requestIdParams(requestId) }) as number[]);
      if (selection.dryRun) return { matched: seqs.length, requeued: 0 };
      let requeued = 0;
      for (const seq of seqs) requeued += this.statements.enqueue.run(seq).changes;
      return { matched: seqs.length, requeued };
    })();
  }

  purge(policy: PurgePolicy): PurgeResult {
    const { now } = policy;
    // Rows about to leave the log are counted first.
    this.db.transaction(() => this.minuteStats.flush())();
    let rows = this.repeat(() => this.statements.oldRows.run(now - policy.logRetentionMs).changes);
    const replaySeq = this.statements.lastSeqBefore.get(now - policy.replayWindowMs) as number | null;
    if (replaySeq !== null) rows += this.statements.oldReplayKeys.run(replaySeq, now).changes;
    const oldestMinute = Math.floor((now - policy.logRetentionMs) / 60_000);
    rows += this.minuteStats.purge(oldestMinute);
    this.minuteStats.followLog();
    const captures = this.repeat(() => this.statements.expiredCaptures.run(now).changes);
    const ceiling = policy.maxBytes === undefined ? { captures: 0, bytes: 0 } : this.purgeToCeiling(policy.maxBytes);
    return { rows, captures, ceilingCaptures: ceiling.captures, ceilingBytes: ceiling.bytes, usedBytes: this.usedBytes() };
  }

  usedBytes(): number {
    return ((this.statements.pageCount.get() as number) - (this.statements.freePages.get() as number)) * (this.statements.pageSize.get() as number);
  }

  /** The captures nearest their expiry first (never one still waiting in the outbox) until used bytes are under the target. */
  private purgeToCeiling(maxBytes: number): { captures: number; bytes: number } {
    let captures = 0;
    let bytes = 0;
    if (this.usedBytes() <= maxBytes) return { captures, bytes };
    const target = maxBytes * CEILING_TARGET;
    let after = { expiresAt: -Infinity, seq: -Infinity };
    let reached = false;
    while (!reached) {
      const oldest = this.statements.nearestExpiryCaptures.all(after) as { seq: number; bytes: number; expiresAt: number }[];
      if (oldest.length === 0) break;
      // Freed pages count at once inside the transaction: stop at the row that brings storage under the target.
      this.db.transaction(() => {
        for (const row of oldest) {
          if (this.usedBytes() <= target) {
            reached = true;
            return;
          }
          this.statements.dropCapture.run(row.seq);
          captures++;
          bytes += row.bytes;
          after = { expiresAt: row.expiresAt, seq: row.seq };
        }
      })();
    }
    return { captures, bytes };
  }

  /** A step repeated while it fills its chunk, but at most MAX_CHUNKS times: a pass never holds up commits for long, the next pass goes on. */
  private repeat(step: () => number): number {
    let total = 0;
    for (let chunk = 0; chunk < MAX_CHUNKS; chunk++) {
      const changes = step();
      total += changes;
      if (changes < CHUNK) break;
    }
    return total;
  }

  private append(batch: PackedBatch): number {
    const size = batchSize(batch);
    const rows: RowValue[] = [];
    const replays: { index: number; replay: NonNullable<PackedDelivery['replay']> }[] = [];
    for (let index = 0; index < size; index++) {
      const { columns, integrationId, capture, replay } = unpackDelivery(batch, index);
      const sealed =
        capture && integrationId !== null
          ? sealCapture(this.sealing.masterKey, integrationId, capture.meta, redactJsonFields(capture.body, this.sealing.redact[integrationId] ?? []))
          : null;
      for (const value of columns) rows.push(value);
      rows.push(sealed);
      if (replay) replays.push({ index, replay });
    }
    // One connection writes the log, inside one transaction: the batch's rows get consecutive seqs.
    const first = this.deliveries.insert(rows) ?? 0;
    const replayRows: RowValue[] = [];
    for (const { index, replay } of replays) replayRows.push(first + index, replay.until, replay.keys);
    this.replayLog.insert(replayRows);
    this.minuteStats.logged(first + size - 1);
    return first;
  }
}
