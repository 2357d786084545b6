import type Database from 'better-sqlite3';

/** Ordered migrations; `user_version` records how many have run. Append, never edit. */
const MIGRATIONS: readonly string[] = [
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
];

export function migrate(db: Database.Database): void {
  const applied = db.pragma('user_version', { simple: true }) as number;
  for (let version = applied; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version] as string);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
