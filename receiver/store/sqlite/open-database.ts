import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { migrate } from './schema.js';

export interface DatabaseOptions {
  readonly directory: string;
  readonly sync: 'full' | 'normal';
}

/** Opens (creating if needed) the node's database in WAL mode and brings its schema up to date. */
export function openDatabase(options: DatabaseOptions): Database.Database {
  mkdirSync(options.directory, { recursive: true, mode: 0o700 });
  const db = new Database(join(options.directory, 'receiver.db'));
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.sync === 'full' ? 'FULL' : 'NORMAL'}`);
  // Deliveries are written by the writer thread's own connection; this one writes only admin actions and
  // runtime state, which must wait out a long group commit on a busy disk rather than fail the operator's change.
  db.pragma('busy_timeout = 5000');
  migrate(db);
  // This connection runs on the event loop: an auto-checkpoint after an admin write would copy and fsync
  // the database file there. The checkpoint thread and the writer's backstop keep the WAL bounded instead.
  db.pragma('wal_autocheckpoint = 0');
  return db;
}
