import Database from 'better-sqlite3';
import { join } from 'node:path';
import { loadMasterKey } from '../../receiver/state/master-key.js';
import { aggregateLoggedMinutes, markLogAggregated } from '../../receiver/store/sqlite/minute-stats.js';
import { openDatabase } from '../../receiver/store/sqlite/open-database.js';

/**
 * A delivery log of `rows` deliveries over the last 24 hours, as a node that has run for a day
 * would have it: log rows (ids carrying their received_at as request-id.ts makes them, one in ten
 * a 401 from one of 100 addresses, one in a hundred of those diagnosed, skews spread over −1…+3 s),
 * two replay keys per accepted delivery inside their window,
 * and the per-minute statistics. Generated in SQL: a million rows take seconds, not minutes.
 */
/** How long the prefilled replay keys live: a delivery id's default window. */
const KEY_WINDOW_MS = 3 * 86_400_000;
/** A replay_log row's keys as SQL: two random digests, each with the expiry bound as @expiry (float64 LE, see liveExpiry). */
const TWO_KEYS_SQL = 'CAST(randomblob(16) || @expiry || randomblob(16) || @expiry AS BLOB)';

/** The stored expiry of a key live for KEY_WINDOW_MS from `now`, as encodeReplayKeys writes it. */
function liveExpiry(now: number): Buffer {
  const expiry = Buffer.alloc(8);
  expiry.writeDoubleLE(now + KEY_WINDOW_MS);
  return expiry;
}

export function prefillLog(storageDir: string, rows: number, integrationId: string, now: number): void {
  openDatabase({ directory: storageDir, sync: 'normal' }).close();
  loadMasterKey(storageDir, {});
  const db = new Database(join(storageDir, 'receiver.db'));
  db.pragma('synchronous = OFF');
  const expiry = liveExpiry(now);
  const params = { rows, integration: integrationId, path: `/hooks/${integrationId}`, start: now - 86_400_000, expiry };
  db.transaction(() => {
    db.prepare(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < @rows - 1)
      INSERT INTO deliveries (request_id, integration_id, received_at, source_ip, method, path, headers, body_size, body_sha256,
        status, outcome, reason, detail, diagnosis, secret_id, delivery_id, skew_ms, latency_us)
      SELECT printf('%08x-%04x-7000-8000-%012x', at >> 16, at & 65535, i), @integration, at,
        '10.0.' || (i % 250) || '.' || (i % 200), 'POST', @path, '{"content-type":"application/json"}', 1000, NULL,
        iif(i % 10 = 0, 401, 202), iif(i % 10 = 0, 'rejected', 'accepted'), iif(i % 10 = 0, 'signature_invalid', NULL), NULL,
        iif(i % 100 = 0, 'secret_whitespace', NULL), iif(i % 10 = 0, NULL, 's1'), 'msg_' || i, (i * 7919) % 4000 - 1000, 900
      FROM (SELECT i, CAST(@start + i * 86400000 / @rows AS INTEGER) AS at FROM n)`).run(params);
    db.prepare(`INSERT INTO replay_log (seq, until, keys)
      SELECT seq, received_at + ${KEY_WINDOW_MS}, ${TWO_KEYS_SQL} FROM deliveries WHERE status = 202`).run({ expiry });
    db.exec(`INSERT INTO stats_minute (minute, integration_id, outcome, reason, count)
      SELECT received_at / 60000, integration_id, outcome, coalesce(reason, ''), count(*) FROM deliveries GROUP BY 1, 2, 3, 4`);
    aggregateLoggedMinutes(db);
    markLogAggregated(db);
  })();
  db.close();
}

/**
 * Live replay keys of older deliveries (two a row, ids and signatures alike inside a 3-day window) under the
 * negative seqs the log keeps its oldest keys at, so that with the log's own keys the node starts holding
 * `keys` in all: with the bench's log, a node that has taken about five minutes at the bench's full rate.
 */
export function prefillReplayKeys(storageDir: string, keys: number, now: number): void {
  if (keys <= 0) return;
  const db = new Database(join(storageDir, 'receiver.db'));
  db.pragma('synchronous = OFF');
  db.prepare(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @rows)
    INSERT INTO replay_log (seq, until, keys) SELECT -1000000000 + i, @until, ${TWO_KEYS_SQL} FROM n`).run({
    rows: Math.ceil(keys / 2),
    until: now + KEY_WINDOW_MS,
    expiry: liveExpiry(now),
  });
  db.close();
}
