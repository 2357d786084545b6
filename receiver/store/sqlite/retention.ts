import type Database from 'better-sqlite3';

/** Chunked so that a purge never holds the write lock long enough to stall ingress. */
const CHUNK = 5_000;

export interface RetentionPolicy {
  readonly logRetentionMs: number;
}

/**
 * Deletes expired captures (unless still waiting in the outbox), expired replay-cache keys and
 * log lines past retention. Returns how many rows went, for the log.
 */
export function purgeExpired(db: Database.Database, now: number, policy: RetentionPolicy): number {
  const statements = [
    db.prepare(`DELETE FROM captures WHERE request_id IN (SELECT request_id FROM captures WHERE expires_at <= ?
      AND request_id NOT IN (SELECT request_id FROM outbox) LIMIT ${CHUNK})`),
    db.prepare(`DELETE FROM replay_cache WHERE key IN (SELECT key FROM replay_cache WHERE expires_at <= ? LIMIT ${CHUNK})`),
    db.prepare(`DELETE FROM deliveries WHERE seq IN (SELECT seq FROM deliveries WHERE received_at <= ? LIMIT ${CHUNK})`),
    db.prepare(`DELETE FROM stats_minute WHERE minute <= ?`),
    db.prepare(`DELETE FROM stats_secret_minute WHERE minute <= ?`),
  ] as const;
  const oldestMinute = Math.floor((now - policy.logRetentionMs) / 60_000);
  const cutoffs = [now, now, now - policy.logRetentionMs, oldestMinute, oldestMinute];
  let removed = 0;
  statements.forEach((statement, index) => {
    for (;;) {
      const { changes } = statement.run(cutoffs[index]);
      removed += changes;
      if (changes < CHUNK) break;
    }
  });
  return removed;
}
