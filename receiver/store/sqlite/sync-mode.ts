import type Database from 'better-sqlite3';

/**
 * `storage.sync` on one connection. Every connection that writes or checkpoints the file takes it: with `full` a
 * commit fsyncs the WAL before it returns (what a 202 waits for) and a checkpoint syncs the database file too.
 */
export function applySyncMode(db: Database.Database, sync: 'full' | 'normal'): void {
  db.pragma(`synchronous = ${sync === 'full' ? 'FULL' : 'NORMAL'}`);
}
