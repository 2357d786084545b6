import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogWriter } from '../../../../receiver/store/sqlite/log-writer.js';
import { migrate } from '../../../../receiver/store/sqlite/schema.js';
import { commitWrites } from '../../../helpers/commit-writes.js';
import { deliveryRecord } from '../../../helpers/delivery-record.js';

const T0 = Date.parse('2025-03-01T10:00:00Z');
const DAY = 86_400_000;
/** Random bytes do not deflate: each capture takes about this much of the file. */
const CAPTURE_BYTES = 100_000;

describe('the storage ceiling', () => {
  let db: Database.Database;
  let writer: LogWriter;
  beforeEach(() => {
    db = new Database(':memory:');
    migrate(db);
    writer = new LogWriter(db, { masterKey: Buffer.alloc(32, 7), redact: {} });
  });
  afterEach(() => db.close());

  /** A rejected delivery (nothing owed downstream) whose capture is kept until `expiresAt`. */
  const captured = (index: number, expiresAt: number) => ({
    record: deliveryRecord(index, { status: 401, outcome: 'rejected' as const, reason: 'signature_invalid' as const, secretId: null }),
    capture: { query: '', headers: {}, body: randomBytes(CAPTURE_BYTES), expiresAt },
  });
  const capturedIndexes = (): number[] =>
    (db.prepare('SELECT delivery_id FROM deliveries WHERE capture IS NOT NULL ORDER BY seq').pluck().all() as string[]).map((id) => Number(id.slice(4)));

  it('purges the captures nearest their expiry first: an integration that keeps its captures a month loses none before one that keeps them a day', () => {
    // The month's captures are the older ones.
    commitWrites(writer, [1, 2, 3, 4].map((index) => captured(index, T0 + 30 * DAY)));
    commitWrites(writer, [5, 6, 7, 8].map((index) => captured(index, T0 + DAY)));
    const maxBytes = writer.usedBytes() - 1.5 * CAPTURE_BYTES;
    const result = writer.purge({ now: T0, logRetentionMs: 30 * DAY, replayWindowMs: DAY, maxBytes });
    expect(result.ceilingCaptures).toBeGreaterThan(0);
    expect(result.ceilingCaptures).toBeLessThan(4);
    expect(writer.usedBytes()).toBeLessThanOrEqual(maxBytes);
    expect(capturedIndexes()).toEqual([1, 2, 3, 4, ...[5, 6, 7, 8].slice(result.ceilingCaptures)]);
  });
});
