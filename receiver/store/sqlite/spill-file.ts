import type Database from 'better-sqlite3';
import type { SpillExtent } from './spill-protocol.js';

/** The replay spill's file, beside receiver.db in the storage directory. */
export const SPILL_FILE_NAME = 'replay-spill.db';

/** The layout below; a spill of another layout is discarded and rebuilt (replay-spill.ts). */
const SPILL_FORMAT = 2;

/**
 * spilled: the digest and expiry (ms) of every spilled key, in runs: each extend appends one run, its keys in digest
 * order under a run number above every other, so it is written at the B-tree's right edge, once (format 1 kept one
 * B-tree by digest and an expiry index: an extend rewrote most of the file, 650 MB to add 1M keys to 5M, and at the
 * bench's rate that was 9 KB written per accepted delivery). A lookup seeks the digest in each run.
 * spill_runs: each run's latest expiry and key count: a run is deleted whole once all its keys expired, and after each
 * extend runs of similar size are merged into one (dropping expired keys; spill-merge-policy.ts says which), so that a
 * key is rewritten a few times over its life, and no more than MAX_SPILL_RUNS remain.
 * spill_meta: the store the spill was built from, the last replay_log seq it covers, and what it holds (null: none).
 */
const SPILL_SCHEMA = `
  CREATE TABLE IF NOT EXISTS spilled (run INTEGER NOT NULL, digest BLOB NOT NULL, until INTEGER NOT NULL, PRIMARY KEY (run, digest)) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS spill_runs (run INTEGER PRIMARY KEY, max_until INTEGER NOT NULL, keys INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS spill_meta (
    only INTEGER PRIMARY KEY CHECK (only = 1),
    store_identity BLOB NOT NULL,
    through_seq INTEGER,
    live_until INTEGER,
    keys INTEGER NOT NULL
  );
`;

/**
 * Runs the spill keeps at most: past them an extend merges the adjacent runs with the fewest keys. A lookup the filter
 * lets through seeks each run (~10 µs each on a 6M-key spill); the size tiers alone keep about log2(live keys / keys
 * per extend) runs: in a simulation, 5 on average and 7 at most with keys that live 60 extends, and at 208 extends the
 * bound was reached now and then (6 on average).
 */
export const MAX_SPILL_RUNS = 8;

/** Whether a digest is in any run with an expiry after `now`: one seek per run. */
export const SPILLED_SQL = 'SELECT 1 FROM spilled WHERE run IN (SELECT run FROM spill_runs) AND digest = ? AND until > ?';

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
