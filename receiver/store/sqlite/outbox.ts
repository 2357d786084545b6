import type Database from 'better-sqlite3';
import type { OutboxEntry } from '../../sinks/delivery-sink.js';
import type { CapturedRequest } from '../capture-codec.js';

interface Row {
  seq: number;
  request_id: string;
  integration_id: string;
  received_at: number;
  capture: Buffer | null;
}

export interface DownstreamBacklog {
  readonly count: number;
  /** Unix milliseconds of the oldest delivery waiting, or null when none waits. */
  readonly oldestAt: number | null;
}

/**
 * The queue of accepted deliveries waiting to go downstream, in arrival order: log rows whose
 * outbox state is set (a partial index holds just those). Reads happen here, on the event loop's
 * connection; changes go through the writer thread (`sent`).
 */
export class Outbox {
  private readonly selectReady: Database.Statement<[number], Row>;
  private readonly backlogStatement: Database.Statement<[], { count: number; oldest: number | null }>;

  constructor(
    db: Database.Database,
    private readonly openCapture: (integrationId: string, stored: Buffer) => CapturedRequest,
    private readonly sent: (seqs: readonly number[]) => Promise<void>,
  ) {
    this.selectReady = db.prepare(`SELECT seq, request_id, integration_id, received_at, capture FROM deliveries
      WHERE outbox = 1 ORDER BY seq LIMIT ?`);
    this.backlogStatement = db.prepare(`SELECT count(*) AS count,
      (SELECT received_at FROM deliveries WHERE outbox = 1 ORDER BY seq LIMIT 1) AS oldest FROM deliveries WHERE outbox = 1`);
  }

  /** The oldest `limit` ready entries; an entry whose capture is gone has `body` undefined. */
  next(limit: number): (OutboxEntry | { readonly seq: number; readonly requestId: string; readonly body: undefined })[] {
    return this.selectReady.all(limit).map((row) => {
      if (row.capture === null) return { seq: row.seq, requestId: row.request_id, body: undefined };
      const capture = this.openCapture(row.integration_id, row.capture);
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

  /** The destination has these: they leave the queue. */
  remove(seqs: readonly number[]): Promise<void> {
    return this.sent(seqs);
  }

  backlog(): DownstreamBacklog {
    const row = this.backlogStatement.get();
    return { count: row?.count ?? 0, oldestAt: row?.oldest ?? null };
  }
}
