import { commitWrites } from '../../../helpers/commit-writes.js';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deliveryQuery } from '../../../../shared/contract/admin-api.js';
import { openCapture } from '../../../../receiver/store/capture-codec.js';
import { timeOrderedId } from '../../../../receiver/store/request-id.js';
import { SqliteDeliveryQueries } from '../../../../receiver/store/sqlite/delivery-queries.js';
import { LogWriter } from '../../../../receiver/store/sqlite/log-writer.js';
import { migrate } from '../../../../receiver/store/sqlite/schema.js';
import { requestIdParams, seqOfRequestId } from '../../../../receiver/store/sqlite/seq-of-request-id.js';
import { deliveryRecord } from '../../../helpers/delivery-record.js';

const T0 = Date.parse('2026-11-30T06:00:00Z');
const MASTER_KEY = Buffer.alloc(32, 7);
/** The last version whose log had a UNIQUE index on request ids. */
const WITH_UNIQUE_IDS = 5;

/** Ids of the kinds earlier versions wrote: UUIDv4, and UUIDv7 whose millisecond the generator bumped past received_at. */
const OLD_IDS = [
  '1b4e28ba-2fa1-41d2-883f-0016d3cca427',
  '9c5b94b1-35ad-49bb-b118-8e8fc24abf80',
  `${(T0 + 7).toString(16).padStart(12, '0').replace(/^(.{8})/, '$1-')}-7fff-8000-000000000001`,
  `${(T0 + 2).toString(16).padStart(12, '0').replace(/^(.{8})/, '$1-')}-7000-9000-000000000002`,
];

/** A capture as versions before sealing stored it (format 0): plain `<meta JSON>\0<body>`. */
const plainCapture = (body: string): Buffer =>
  Buffer.concat([Buffer.from([0]), Buffer.from(JSON.stringify({ query: '?a=1', headers: { 'content-type': 'text/plain' } })), Buffer.from([0]), Buffer.from(body)]);

describe('the log without its request-id index (migration 6)', () => {
  let db: Database.Database;
  beforeEach(() => {
    db = new Database(':memory:');
  });
  afterEach(() => db.close());

  const open = (): { writer: LogWriter; queries: SqliteDeliveryQueries } => ({
    writer: new LogWriter(db, { masterKey: MASTER_KEY, redact: {} }),
    queries: new SqliteDeliveryQueries(db, 'node-a', {
      now: () => T0 + 60_000,
      openCapture: (integrationId, stored) => openCapture(MASTER_KEY, integrationId, stored),
      replayCacheSize: () => 0,
    }),
  });

  /** A database of version 5 holding a row of each old id kind, with a capture, and a row whose id carries its own millisecond. */
  function logOfVersion5(): string[] {
    migrate(db, WITH_UNIQUE_IDS);
    const insert = db.prepare(`INSERT INTO deliveries (request_id, integration_id, received_at, source_ip, method, path, headers, body_size, body_sha256,
      status, outcome, reason, detail, diagnosis, secret_id, delivery_id, skew_ms, latency_us, outbox, capture_expires_at, capture)
      VALUES (?, 'pay', ?, '10.0.0.1', 'POST', '/hooks/pay', '{}', 5, NULL, 202, 'accepted', NULL, NULL, NULL, 's1', ?, 0, 900, NULL, ?, ?)`);
    const ids = [...OLD_IDS, deliveryRecord(9, { receivedAt: T0 + 9 }).requestId];
    ids.forEach((id, index) => insert.run(id, T0 + index, `evt_${index}`, T0 + 86_400_000, plainCapture(`body ${index}`)));
    return ids;
  }

  const statsRows = (): unknown[] => db.prepare('SELECT * FROM stats_minute_live ORDER BY minute, integration_id, outcome, reason').all();

  it('finds every row logged before it by id, through the page, the detail, the capture and redrive, with the counts unchanged', () => {
    const ids = logOfVersion5();
    const countsBefore = statsRows();
    migrate(db);

    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('user_version', { simple: true })).toBe(8);
    expect((db.pragma('index_list(deliveries)') as { unique: number }[]).filter((index) => index.unique === 1)).toEqual([]);
    expect(statsRows()).toEqual(countsBefore);
    expect(db.prepare('SELECT count(*) FROM deliveries').pluck().get()).toBe(ids.length);

    const { writer, queries } = open();
    for (const [index, id] of ids.entries()) {
      expect(queries.deliveries(deliveryQuery.parse({ requestId: id })).deliveries.map((delivery) => delivery.seq)).toEqual([index + 1]);
      expect(queries.delivery(id)).toMatchObject({ requestId: id, deliveryId: `evt_${index}`, captured: true });
      expect(queries.raw(id)?.bodyBase64).toBe(Buffer.from(`body ${index}`).toString('base64'));
      expect(writer.redrive({ integration: 'pay', since: T0, until: T0 + 60_000, outcomes: ['accepted'], requestIds: [id], dryRun: false })).toEqual({ matched: 1, requeued: 1 });
    }
  });

  it('finds a delivery logged after it by the millisecond its id carries, and misses without scanning the log', () => {
    logOfVersion5();
    migrate(db);
    const { writer, queries } = open();
    const receivedAt = T0 + 30_000.6;
    const id = timeOrderedId(receivedAt);
    const [seq] = commitWrites(writer, [{ record: deliveryRecord(1, { requestId: id, receivedAt }) }]);
    expect(queries.delivery(id)?.seq).toBe(seq);

    expect(queries.delivery(timeOrderedId(receivedAt))).toBeUndefined();
    expect(queries.delivery('1b4e28ba-2fa1-41d2-883f-0016d3cca428')).toBeUndefined();
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${seqOfRequestId(db)}`).all(requestIdParams(id)) as { detail: string }[];
    expect(plan.map((step) => step.detail).filter((detail) => /deliveries/.test(detail))).toEqual([
      'SEARCH deliveries USING INDEX deliveries_by_time (received_at>? AND received_at<?)',
      'SEARCH deliveries USING COVERING INDEX deliveries_request_id_before (request_id=? AND rowid<?)',
    ]);
  });

  it('gives a new database an empty index of earlier rows', () => {
    migrate(db);
    expect(db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'deliveries_request_id_before'").pluck().get()).toMatch(/WHERE seq <= 0$/);
    const { writer, queries } = open();
    const id = timeOrderedId(T0);
    commitWrites(writer, [{ record: deliveryRecord(1, { requestId: id, receivedAt: T0 }) }]);
    expect(queries.delivery(id)?.requestId).toBe(id);
  });
});
