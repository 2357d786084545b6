import type Database from 'better-sqlite3';

/**
 * The page cache of a store thread's connection (the writer's, the checkpointer's). better-sqlite3 builds SQLite with
 * 16 MB a connection (SQLITE_DEFAULT_CACHE_SIZE=-16000), and a connection keeps what it filled: the writer's stood
 * at ~20 MB of its thread's malloc arena after the bench's write sequence. It needs the right edges of the log's
 * B-trees and the tail its statistics flush reads back, both recently written; a checkpoint copies WAL frames
 * without the cache. The event loop's connection keeps the default for the admin API's reads of the whole log.
 */
const STORE_THREAD_CACHE_KIB = 2048;

export function limitStoreThreadCache(db: Database.Database): void {
  db.pragma(`cache_size = -${STORE_THREAD_CACHE_KIB}`);
}
