import type Database from 'better-sqlite3';
import type { OutboxEntry } from '../../sinks/delivery-sink.js';

interface Row {
  seq: number;
  request_id: string;
  integration_id: string;
  created_at: number;
  query: string | null;
  headers: string | null;
  body: Buffer | null;
}

/**
 * The queue of accepted deliveries waiting to go downstream, in arrival order. A row leaves only
 * when its destination has the delivery (or when an operator discards what a hold parked).
 */
export class Outbox {
  private readonly selectReady: Database.Statement<[number], Row>;
  private readonly deleteOne: Database.Statement<[number]>;
  private readonly release: Database.Statement<[string]>;
  private readonly discard: Database.Statement<[string]>;
  private readonly countReady: Database.Statement<[], { count: number; oldest: number | null }>;

  constructor(db: Database.Database) {
    this.selectReady = db.prepare(`
      SELECT o.seq, o.request_id, o.integration_id, o.created_at, c.query, c.headers, c.body
      FROM outbox o LEFT JOIN captures c ON c.request_id = o.request_id
      WHERE o.state = 'ready' ORDER BY o.seq LIMIT ?`);
    this.deleteOne = db.prepare('DELETE FROM outbox WHERE seq = ?');
    this.release = db.prepare("UPDATE outbox SET state = 'ready' WHERE integration_id = ? AND state = 'held'");
    this.discard = db.prepare("DELETE FROM outbox WHERE integration_id = ? AND state = 'held'");
    this.countReady = db.prepare("SELECT count(*) AS count, min(created_at) AS oldest FROM outbox WHERE state = 'ready'");
  }

  /** Ready entries waiting for the downstream and the arrival time of the oldest (for /metrics). */
  backlog(): { count: number; oldestAt: number | null } {
    const row = this.countReady.get();
    return { count: row?.count ?? 0, oldestAt: row?.oldest ?? null };
  }

  /** The oldest `limit` ready entries; an entry whose capture is gone has `body` undefined. */
  next(limit: number): (OutboxEntry | { readonly seq: number; readonly requestId: string; readonly body: undefined })[] {
    return this.selectReady.all(limit).map((row) =>
      row.body === null
        ? { seq: row.seq, requestId: row.request_id, body: undefined }
        : {
            seq: row.seq,
            requestId: row.request_id,
            integrationId: row.integration_id,
            receivedAt: row.created_at,
            query: row.query ?? '',
            headers: JSON.parse(row.headers ?? '{}') as Record<string, string>,
            body: row.body,
          },
    );
  }

  remove(seq: number): void {
    this.deleteOne.run(seq);
  }

  /** Held → ready: their seq is older than anything accepted since, so they go first, in arrival order. */
  releaseHeld(integrationId: string): number {
    return this.release.run(integrationId).changes;
  }

  discardHeld(integrationId: string): number {
    return this.discard.run(integrationId).changes;
  }
}
