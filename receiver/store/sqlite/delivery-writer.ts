import type Database from 'better-sqlite3';
import type { DeliveryWrite } from '../delivery-record.js';

interface Pending {
  readonly write: DeliveryWrite;
  /** Resolves with the record's `seq`, its position in the delivery log. */
  readonly resolve: (seq: number) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit: every write of one event-loop turn goes into one transaction, so one fsync is
 * shared by all of them. A write's promise settles only after its transaction has committed —
 * the ingress answers 202 on that, never before.
 */
export class DeliveryWriter {
  private batch: Pending[] = [];
  private scheduled = false;
  private readonly commitBatch: (batch: readonly Pending[]) => number[];

  constructor(db: Database.Database) {
    const insertDelivery = db.prepare(`
      INSERT INTO deliveries (request_id, integration_id, received_at, source_ip, method, path, headers,
        body_size, body_sha256, status, outcome, reason, detail, diagnosis, secret_id, delivery_id, skew_ms, latency_us)
      VALUES (@requestId, @integrationId, @receivedAt, @sourceIp, @method, @path, @headers,
        @bodySize, @bodySha256, @status, @outcome, @reason, @detail, @diagnosis, @secretId, @deliveryId, @skewMs, @latencyUs)`);
    const insertCapture = db.prepare(
      'INSERT INTO captures (request_id, integration_id, expires_at, query, headers, body) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const insertOutbox = db.prepare('INSERT INTO outbox (request_id, integration_id, state, created_at) VALUES (?, ?, ?, ?)');
    const insertReplayKey = db.prepare('INSERT OR REPLACE INTO replay_cache (key, expires_at) VALUES (?, ?)');
    const addStats = db.prepare(`
      INSERT INTO stats_minute (minute, integration_id, outcome, reason, count) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (minute, integration_id, outcome, reason) DO UPDATE SET count = count + excluded.count`);

    const addSecretStats = db.prepare(`
      INSERT INTO stats_secret_minute (minute, integration_id, secret_id, count) VALUES (?, ?, ?, 1)
      ON CONFLICT (minute, integration_id, secret_id) DO UPDATE SET count = count + 1`);

    this.commitBatch = db.transaction((batch: readonly Pending[]) => {
      const stats = new Map<string, number>();
      const seqs: number[] = [];
      for (const { write } of batch) {
        const { record } = write;
        seqs.push(Number(insertDelivery.run({ ...record, headers: JSON.stringify(record.headers) }).lastInsertRowid));
        if (write.capture && record.integrationId !== null) {
          const { capture } = write;
          insertCapture.run(record.requestId, record.integrationId, capture.expiresAt, capture.query, JSON.stringify(capture.headers), capture.body);
        }
        if (write.outbox && record.integrationId !== null) {
          insertOutbox.run(record.requestId, record.integrationId, write.outbox, record.receivedAt);
        }
        for (const replayKey of write.replayKeys ?? []) insertReplayKey.run(replayKey.key, replayKey.expiresAt);
        // Which secret verifies what is how far a rotation's cutover has got: count verified deliveries only.
        if (record.secretId !== null && record.integrationId !== null && record.status < 400) {
          addSecretStats.run(Math.floor(record.receivedAt / 60_000), record.integrationId, record.secretId);
        }
        const statsKey = `${Math.floor(record.receivedAt / 60_000)}\u0000${record.integrationId ?? ''}\u0000${record.outcome}\u0000${record.reason ?? ''}`;
        stats.set(statsKey, (stats.get(statsKey) ?? 0) + 1);
      }
      for (const [key, count] of stats) {
        const [minute, integrationId, outcome, reason] = key.split('\u0000') as [string, string, string, string];
        addStats.run(Number(minute), integrationId, outcome, reason, count);
      }
      return seqs;
    });
  }

  write(write: DeliveryWrite): Promise<number> {
    return new Promise((resolve, reject) => {
      this.batch.push({ write, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits what is queued now; also called on shutdown so nothing queued is lost. */
  flush(): void {
    this.scheduled = false;
    const batch = this.batch;
    if (batch.length === 0) return;
    this.batch = [];
    let seqs: number[];
    try {
      seqs = this.commitBatch(batch);
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    batch.forEach((pending, index) => pending.resolve(seqs[index] as number));
  }
}
