import type Database from 'better-sqlite3';
import type { OutboxEntry } from '../../sinks/delivery-sink.js';
import type { CapturedRequest } from '../capture-codec.js';

interface Row {
  seq: number;
  request_id: string;
  integration_id: string;
  received_at: number;
}

/**
 * Captures of just-committed deliveries kept for the dispatcher. Under load it takes them within
 * milliseconds; the bound only matters while the destination is away (then the rest are read back
 * from the file), and holds a few MB of ~1 KB deliveries.
 */
const MAX_REMEMBERED = 4_096;

export interface DownstreamBacklog {
  readonly count: number;
  /** Unix milliseconds of the oldest delivery waiting, or null when none waits. */
  readonly oldestAt: number | null;
}

/**
 * The queue of accepted deliveries waiting to go downstream, in arrival order: log rows whose
 * outbox state is set (a partial index holds just those). Reads happen here, on the event loop's
 * connection; changes go through the writer thread (`sent`).
 *
 * Deliveries handed over to a sink that makes a repeat harmless need not leave the queue at once:
 * `handedOver` keeps them as sent but not yet recorded, and `recordHandedOver` takes them all out
 * in one commit. Until then `next` reads past them (after the highest seq handed over) and
 * `backlog` leaves them out; a crash in between hands them over again, which such a sink ignores.
 *
 * A delivery just committed comes with its capture (`remember`): `next` hands it over without
 * reading it back and unsealing it (inflate and AES, the largest part of a fleet node's extra CPU).
 */
export class Outbox {
  private readonly selectReady: Database.Statement<[number, number], Row>;
  private readonly selectCapture: Database.Statement<[number], Buffer | null>;
  /** By seq: the capture of a ready delivery, exactly as stored. */
  private readonly remembered = new Map<number, CapturedRequest>();
  private readonly backlogStatement: Database.Statement<[number], { count: number; oldest: number | null }>;
  /** Handed over, not yet recorded as sent: still `outbox = 1` in the file. */
  private unrecorded: number[] = [];
  /** `next` reads after this seq while some are unrecorded; 0 otherwise. */
  private after = 0;

  constructor(
    db: Database.Database,
    private readonly openCapture: (integrationId: string, stored: Buffer) => CapturedRequest,
    private readonly sent: (seqs: readonly number[]) => Promise<void>,
  ) {
    this.selectReady = db.prepare(`SELECT seq, request_id, integration_id, received_at FROM deliveries
      WHERE outbox = 1 AND seq > ? ORDER BY seq LIMIT ?`);
    this.selectCapture = db.prepare('SELECT capture FROM deliveries WHERE seq = ?').pluck() as Database.Statement<[number], Buffer | null>;
    this.backlogStatement = db.prepare(`SELECT count(*) AS count,
      (SELECT received_at FROM deliveries WHERE outbox = 1 AND seq > ? ORDER BY seq LIMIT 1) AS oldest FROM deliveries WHERE outbox = 1`);
  }

  /**
   * The oldest `limit` ready entries not handed over yet; an entry whose capture is gone has `body`
   * undefined. A row put back in the queue below what was handed over (a release, a redrive) is
   * read once the handed-over ones are recorded.
   */
  next(limit: number): (OutboxEntry | { readonly seq: number; readonly requestId: string; readonly body: undefined })[] {
    return this.selectReady.all(this.after, limit).map((row) => {
      const capture = this.remembered.get(row.seq) ?? this.readCapture(row);
      if (capture === undefined) return { seq: row.seq, requestId: row.request_id, body: undefined };
      return {
        seq: row.seq,
        requestId: row.request_id,
        integrationId: row.integration_id,
        receivedAt: row.received_at,
        query: capture.query,
        headers: capture.headers,
        body: capture.body,
      };
    });
  }

  /** A ready delivery was committed with this capture (as the file holds it, redactions applied). */
  remember(seq: number, capture: CapturedRequest): void {
    if (this.remembered.size < MAX_REMEMBERED) this.remembered.set(seq, capture);
  }

  /** The destination has these: they leave the queue. */
  remove(seqs: readonly number[]): Promise<void> {
    this.forget(seqs);
    return this.sent(seqs);
  }

  /** The destination has these (seqs read by `next`, in order); `recordHandedOver` takes them out of the queue. */
  handedOver(seqs: readonly number[]): void {
    this.forget(seqs);
    for (const seq of seqs) {
      this.unrecorded.push(seq);
      if (seq > this.after) this.after = seq;
    }
  }

  /** How many are handed over but not recorded yet. */
  get unrecordedCount(): number {
    return this.unrecorded.length;
  }

  /** One commit for everything handed over so far; on failure they stay handed over, to be recorded later. */
  async recordHandedOver(): Promise<void> {
    if (this.unrecorded.length === 0) return;
    const seqs = this.unrecorded;
    this.unrecorded = [];
    try {
      await this.sent(seqs);
    } catch (error) {
      this.unrecorded = seqs.concat(this.unrecorded);
      throw error;
    }
    if (this.unrecorded.length === 0) this.after = 0;
  }

  private readCapture(row: Row): CapturedRequest | undefined {
    const stored = this.selectCapture.get(row.seq);
    return stored ? this.openCapture(row.integration_id, stored) : undefined;
  }

  private forget(seqs: readonly number[]): void {
    if (this.remembered.size > 0) for (const seq of seqs) this.remembered.delete(seq);
  }

  /** What still waits for the destination (handed-over entries do not). */
  backlog(): DownstreamBacklog {
    const row = this.backlogStatement.get(this.after);
    return { count: Math.max(0, (row?.count ?? 0) - this.unrecorded.length), oldestAt: row?.oldest ?? null };
  }
}
