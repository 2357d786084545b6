import type Database from 'better-sqlite3';
import type { ReplayLogSource } from './local-replay-cache.js';

/**
 * The replay log as the single node's replay index loads it. A slice's keys come back as one blob
 * (group_concat of the rows' blobs, cast back to a blob: the bytes pass through unchanged in a UTF-8
 * database): a Buffer per row cost ~9 times the CPU at a million rows.
 */
export function replayLogSource(db: Database.Database): ReplayLogSource {
  const next = db.prepare('SELECT min(seq) FROM replay_log WHERE seq >= ?').pluck();
  const keys = db.prepare("SELECT CAST(group_concat(keys, '') AS BLOB) FROM replay_log WHERE seq >= ? AND seq < ? AND until > ?").pluck();
  const keyBytes = db.prepare('SELECT coalesce(sum(length(keys)), 0) FROM replay_log WHERE seq >= ? AND seq < ? AND until > ?').pluck();
  return {
    next: (seq) => (next.get(seq) as number | null) ?? undefined,
    keys: (from, to, now) => (keys.get(from, to, now) as Buffer | null) ?? undefined,
    keyBytes: (from, to, now) => keyBytes.get(from, to, now) as number,
  };
}
