import type Database from 'better-sqlite3';
import { encodeReplayKeys } from '../dedupe/local-replay-cache.js';
import { replayDigest } from '../dedupe/replay-digest.js';
import { aggregateLoggedMinutes, markLogAggregated } from './minute-stats.js';
import type { ReplayKey } from '../replay-cache.js';
import { IDS_BEFORE_INDEX } from './seq-of-request-id.js';

/** Ordered migrations; `user_version` records how many have run. Append, never edit. */
const MIGRATIONS: readonly (string | ((db: Database.Database) => void))[] = [
  `
  CREATE TABLE deliveries (
    seq INTEGER PRIMARY KEY,
    request_id TEXT NOT NULL UNIQUE,
    integration_id TEXT,
    received_at INTEGER NOT NULL,
    source_ip TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    headers TEXT NOT NULL,
    body_size INTEGER NOT NULL,
    body_sha256 TEXT,
    status INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT,
    detail TEXT,
    diagnosis TEXT,
    secret_id TEXT,
    delivery_id TEXT,
    skew_ms INTEGER,
    latency_us INTEGER NOT NULL
  );
  CREATE INDEX deliveries_by_integration ON deliveries (integration_id, seq);
  CREATE INDEX deliveries_by_time ON deliveries (received_at);

  CREATE TABLE captures (
    request_id TEXT PRIMARY KEY,
    integration_id TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    query TEXT NOT NULL,
    headers TEXT NOT NULL,
    body BLOB NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX captures_by_expiry ON captures (expires_at);

  CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY,
    request_id TEXT NOT NULL UNIQUE,
    integration_id TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('ready', 'held')),
    created_at INTEGER NOT NULL
  );

  CREATE TABLE replay_cache (
    key TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX replay_cache_by_expiry ON replay_cache (expires_at);

  CREATE TABLE stats_minute (
    minute INTEGER NOT NULL,
    integration_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (minute, integration_id, outcome, reason)
  ) WITHOUT ROWID;

  CREATE TABLE stats_secret_minute (
    minute INTEGER NOT NULL,
    integration_id TEXT NOT NULL,
    secret_id TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (minute, integration_id, secret_id)
  ) WITHOUT ROWID;

  -- Runtime state set through the admin API (kill switch, secrets), sealed with the master key.
  CREATE TABLE integration_state (
    integration_id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    sealed BLOB NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE audit (
    seq INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    integration_id TEXT,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  );
  `,
  // 2: one append-only row per delivery. Capture and outbox state become columns of the log row,
  // replay keys fixed-size digests in a log keyed by the delivery's seq: every B-tree now grows at
  // its right edge instead of taking a random page per delivery (issue 8).
  (db) => {
    db.exec(`
      ALTER TABLE deliveries ADD COLUMN outbox INTEGER CHECK (outbox IN (1, 2));
      ALTER TABLE deliveries ADD COLUMN capture_expires_at INTEGER;
      ALTER TABLE deliveries ADD COLUMN capture BLOB;
      UPDATE deliveries SET outbox = CASE o.state WHEN 'ready' THEN 1 ELSE 2 END FROM outbox o WHERE o.request_id = deliveries.request_id;
      -- Captures of older versions stay readable as format 0 (not sealed) until their retention ends; || makes text, hence the CAST.
      UPDATE deliveries SET capture_expires_at = c.expires_at,
        capture = CAST(X'00' || json_object('query', c.query, 'headers', json(c.headers)) || X'00' || c.body AS BLOB)
        FROM captures c WHERE c.request_id = deliveries.request_id;
      CREATE INDEX deliveries_outbox ON deliveries (seq) WHERE outbox IS NOT NULL;
      -- until: when the last of the row's keys expires.
      CREATE TABLE replay_log (seq INTEGER PRIMARY KEY, until INTEGER NOT NULL, keys BLOB NOT NULL);
    `);
    migrateReplayCache(db);
    db.exec('DROP TABLE captures; DROP TABLE outbox; DROP TABLE replay_cache;');
  },
  // 3: who sat at the console, and when each secret was first seen.
  `
  -- Who sat at the console for an admin action (X-Hookwarden-Person), next to the token's name in actor.
  ALTER TABLE audit ADD COLUMN person TEXT;
  -- When this node first saw each secret (by integration, id and fingerprint): its age when the config gives none.
  CREATE TABLE secret_first_seen (
    integration_id TEXT NOT NULL,
    secret_id TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    first_seen_at INTEGER NOT NULL,
    PRIMARY KEY (integration_id, secret_id, fingerprint)
  ) WITHOUT ROWID;
  `,
  // 4: every statistic from per-minute aggregates written with the batch, never from a log scan (issue 8):
  // diagnoses, a skew histogram (fixed log-scale buckets with their exact extremes) and a bounded
  // summary of the rejected sources (minute-stats.ts). Filled from the log already there.
  (db) => {
    db.exec(`
      CREATE TABLE stats_diagnosis_minute (
        minute INTEGER NOT NULL,
        integration_id TEXT NOT NULL,
        diagnosis TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (minute, integration_id, diagnosis)
      ) WITHOUT ROWID;
      -- One row a minute, and one an hour (keyed by its first minute): the skew histogram and the
      -- rejected-sources summary (encodings in minute-stats.ts), null while there is none.
      CREATE TABLE stats_sketch_minute (minute INTEGER PRIMARY KEY, skew BLOB, sources TEXT);
      CREATE TABLE stats_sketch_hour (minute INTEGER PRIMARY KEY, skew BLOB, sources TEXT);
    `);
    aggregateLoggedMinutes(db);
  },
  // 5: the statistics are stored every STATS_FLUSH_ROWS deliveries instead of every commit, which rewrote four
  // pages of aggregates per commit (issue 8). The stored aggregates count the log up to the watermark's seq;
  // the live views add the rows logged after it, so a read is exact at any moment and after kill -9.
  (db) => {
    db.exec(`
      CREATE TABLE stats_watermark (only INTEGER PRIMARY KEY CHECK (only = 1), seq INTEGER NOT NULL);
      INSERT INTO stats_watermark (only, seq) VALUES (1, 0);
      CREATE VIEW stats_tail AS SELECT CAST(received_at / 60000 AS INTEGER) AS minute, received_at, integration_id, outcome, reason,
        status, secret_id, diagnosis, skew_ms, source_ip FROM deliveries WHERE seq > (SELECT seq FROM stats_watermark);
      CREATE VIEW stats_minute_live AS
        SELECT minute, integration_id, outcome, reason, count FROM stats_minute
        UNION ALL SELECT minute, coalesce(integration_id, ''), outcome, coalesce(reason, ''), count(*) FROM stats_tail GROUP BY 1, 2, 3, 4;
      CREATE VIEW stats_secret_minute_live AS
        SELECT minute, integration_id, secret_id, count FROM stats_secret_minute
        UNION ALL SELECT minute, integration_id, secret_id, count(*) FROM stats_tail
          WHERE secret_id IS NOT NULL AND integration_id IS NOT NULL AND status < 400 GROUP BY 1, 2, 3;
      CREATE VIEW stats_diagnosis_minute_live AS
        SELECT minute, integration_id, diagnosis, count FROM stats_diagnosis_minute
        UNION ALL SELECT minute, integration_id, diagnosis, count(*) FROM stats_tail
          WHERE diagnosis IS NOT NULL AND integration_id IS NOT NULL GROUP BY 1, 2, 3;
    `);
    markLogAggregated(db);
  },
  // 6: the log without its UNIQUE index on request ids, about a sixth of the WAL a commit wrote and a B-tree insert per
  // delivery (issue 8): an id carries floor(received_at) (request-id.ts), so a lookup searches that millisecond of the
  // time index; the rows already logged are found through a partial index over them, which never grows.
  dropRequestIdIndex,
  // 7: a random identity of this store, so that a file derived from it (the replay spill, replay-spill.ts) can tell
  // it was built from this log and not from another node's, or from this directory before the database was replaced.
  `
  CREATE TABLE store_identity (only INTEGER PRIMARY KEY CHECK (only = 1), id BLOB NOT NULL);
  INSERT INTO store_identity (only, id) VALUES (1, randomblob(16));
  `,
  // 8: the captures' expiries, so that the purge finds the expired ones without walking the rows whose capture is still
  // kept (log-writer.ts). Rows of one integration arrive in expiry order: the index grows at its right edge.
  `
  CREATE INDEX deliveries_by_capture_expiry ON deliveries (capture_expires_at) WHERE capture_expires_at IS NOT NULL;
  `,
];

/**
 * SQLite cannot drop the index a UNIQUE constraint made: the table is rebuilt without it, in seq order, and its
 * indexes, triggers and the views that read it are recreated from their stored definitions. Copies the log once at
 * upgrade: 7.0-7.2 s for a 1,000,000-row log of the bench's rows (load average ~2.6 on 2 cores), 270 MB of WAL; the
 * old table's 190 MB stay in the file as free pages, which new rows reuse. A new database pays nothing.
 */
function dropRequestIdIndex(db: Database.Database): void {
  const schema = db.prepare('SELECT type, name, tbl_name AS tableName, sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY rowid').all() as {
    type: string;
    name: string;
    tableName: string;
    sql: string;
  }[];
  const table = schema.find((entry) => entry.type === 'table' && entry.name === 'deliveries');
  if (!table) throw new Error('deliveries: no such table');
  // Views are not dropped with the table and would fail its rename; everything recreated here is the table's or a view.
  const recreated = schema.filter((entry) => entry.type === 'view' || (entry.tableName === 'deliveries' && entry.type !== 'table'));
  for (const view of recreated.filter((entry) => entry.type === 'view')) db.exec(`DROP VIEW ${view.name}`);
  const rebuilt = table.sql.replace(/^CREATE TABLE "?deliveries"?/, 'CREATE TABLE deliveries_rebuilt').replace('request_id TEXT NOT NULL UNIQUE', 'request_id TEXT NOT NULL');
  // A definition this code does not recognise would otherwise be copied with its UNIQUE index, silently.
  if (!rebuilt.startsWith('CREATE TABLE deliveries_rebuilt') || rebuilt.includes('UNIQUE')) throw new Error('deliveries: unexpected table definition');
  db.exec(rebuilt);
  db.exec(`
    INSERT INTO deliveries_rebuilt SELECT * FROM deliveries ORDER BY seq;
    DROP TABLE deliveries;
    ALTER TABLE deliveries_rebuilt RENAME TO deliveries;
  `);
  for (const entry of recreated) db.exec(entry.sql);
  const lastSeq = db.prepare('SELECT coalesce(max(seq), 0) FROM deliveries').pluck().get() as number;
  db.exec(`CREATE INDEX ${IDS_BEFORE_INDEX} ON deliveries (request_id) WHERE seq <= ${lastSeq}`);
}

/** Old text keys `<integration>|id|<id>` / `<integration>|sig|<signature>` become digests, under negative seqs before any delivery. */
function migrateReplayCache(db: Database.Database): void {
  const insert = db.prepare('INSERT INTO replay_log (seq, until, keys) VALUES (?, ?, ?)');
  let seq = -1_000_000_000;
  let chunk: ReplayKey[] = [];
  const flush = (): void => {
    if (chunk.length > 0) insert.run(seq++, Math.max(...chunk.map((key) => key.expiresAt)), encodeReplayKeys(chunk));
    chunk = [];
  };
  for (const row of db.prepare('SELECT key, expires_at FROM replay_cache').iterate() as Iterable<{ key: string; expires_at: number }>) {
    const match = /^([^|]*)\|(id|sig)\|(.*)$/s.exec(row.key);
    if (!match) continue;
    const kind = match[2] as 'id' | 'sig';
    chunk.push({ kind, digest: replayDigest(match[1] as string, kind, match[3] as string), expiresAt: row.expires_at });
    if (chunk.length === 1000) flush();
  }
  flush();
}

/** Brings the schema up to date, or only up to version `through` (a test's database of an earlier version). */
export function migrate(db: Database.Database, through = MIGRATIONS.length): void {
  const applied = db.pragma('user_version', { simple: true }) as number;
  for (let version = applied; version < through; version++) {
    db.transaction(() => {
      const migration = MIGRATIONS[version];
      if (typeof migration === 'function') migration(db);
      else db.exec(migration as string);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
