import type Database from 'better-sqlite3';
import type { SpillExtent } from './spill-protocol.js';

/** The replay spill's file, beside receiver.db in the storage directory. */
export const SPILL_FILE_NAME = 'replay-spill.db';

/** The layout below; a spill of another layout is discarded and rebuilt (replay-spill.ts). */
const SPILL_FORMAT = 1;

/** Expired keys are deleted a minute of expiries at a time (see spilled_by_expiry_minute). */
const EXPIRY_MINUTE_MS = 60_000;

/**
 * spilled: the digest of every spilled key still live (as of the last extend) and its expiry, in ms.
 * spilled_by_expiry_minute: the index expired keys are deleted through. It is keyed by the minute of the expiry, not the
 * expiry itself: its entries are (minute, digest), so the keys of an extend, inserted in digest order, land in order
 * within each of the few minutes they expire in, a page at a time. Keyed by the exact expiry they would land in random
 * order across a region of the index many times the thread's page cache, a page written per key: measured, 1M keys
 * into a spill of 5M took 16.4 s and 4.1 GB of writes that way, 6.1 s and 0.68 GB this way (5M into an empty one:
 * 74 s and 23 GB, 18.8 s and 1.0 GB).
 * spill_meta: the store the spill was built from, the last replay_log seq it covers, and what it holds (null: none).
 * The key count is kept by a trigger, as an upsert's change count does not tell a new digest from a later expiry; it
 * cost no measurable time (the same extends without it: 6.3 s and 21.7 s, at a higher load).
 */
const SPILL_SCHEMA = `
  CREATE TABLE IF NOT EXISTS spilled (digest BLOB PRIMARY KEY, until INTEGER NOT NULL) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS spilled_by_expiry_minute ON spilled (CAST(until AS INTEGER) / ${EXPIRY_MINUTE_MS});
  CREATE TABLE IF NOT EXISTS spill_meta (
    only INTEGER PRIMARY KEY CHECK (only = 1),
    store_identity BLOB NOT NULL,
    through_seq INTEGER,
    live_until INTEGER,
    keys INTEGER NOT NULL
  );
  CREATE TRIGGER IF NOT EXISTS spilled_counted AFTER INSERT ON spilled BEGIN UPDATE spill_meta SET keys = keys + 1; END;
`;

/** Deletes the keys expired at `now`: through the index for every minute up to now's, then only those past their expiry. */
export const DELETE_EXPIRED_SQL = `DELETE FROM spilled WHERE CAST(until AS INTEGER) / ${EXPIRY_MINUTE_MS} <= CAST(:now AS INTEGER) / ${EXPIRY_MINUTE_MS} AND until <= :now`;

/** The latest expiry the spill holds: through the index to the last minute, then within it. */
export const LIVE_UNTIL_SQL = `SELECT max(until) FROM spilled WHERE CAST(until AS INTEGER) / ${EXPIRY_MINUTE_MS} = (SELECT max(CAST(until AS INTEGER) / ${EXPIRY_MINUTE_MS}) FROM spilled)`;

/**
 * The last seq the log of `schema` holds: a delivery's, or a replay_log row's (the keys migrated from the old replay
 * cache sit under negative seqs with no delivery). Null for an empty log.
 */
export function lastLogSeqSql(schema: 'main' | 'log'): string {
  return `SELECT max(seq) FROM (SELECT max(seq) AS seq FROM ${schema}.deliveries UNION ALL SELECT max(seq) FROM ${schema}.replay_log)`;
}

/** Creates the spill's tables in a new file, recording the store it is built from; an existing spill is left as it is. */
export function createSpillSchema(db: Database.Database, storeIdentity: Buffer): void {
  db.transaction(() => {
    const format = db.pragma('user_version', { simple: true }) as number;
    const empty = (db.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table'").pluck().get() as number) === 0;
    if (!empty && format !== SPILL_FORMAT) throw new Error(`a spill of format ${format}, not ${SPILL_FORMAT}`);
    db.exec(SPILL_SCHEMA);
    db.prepare('INSERT OR IGNORE INTO spill_meta (only, store_identity, keys) VALUES (1, ?, 0)').run(storeIdentity);
    db.pragma(`user_version = ${SPILL_FORMAT}`);
  })();
}

/** The store the spill was built from, and its extent. */
export function readSpillMeta(db: Database.Database): { readonly storeIdentity: Buffer; readonly extent: SpillExtent } {
  const row = db.prepare('SELECT store_identity, through_seq, live_until, keys FROM spill_meta').get() as
    | { store_identity: Buffer; through_seq: number | null; live_until: number | null; keys: number }
    | undefined;
  if (!row) throw new Error('the spill has no meta row');
  return { storeIdentity: row.store_identity, extent: { throughSeq: row.through_seq ?? -Infinity, liveUntil: row.live_until ?? -Infinity, keys: row.keys } };
}
