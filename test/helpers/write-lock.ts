import Database from 'better-sqlite3';

/**
 * Holds SQLite's write lock from a second connection, as a stuck disk would: the node's commits wait, then fail busy.
 * Taking the lock waits for whatever the node is writing at that moment (its start-up writes, a checkpoint), so the
 * test does not depend on when it runs.
 */
export function holdWriteLock(databasePath: string): () => void {
  const locker = new Database(databasePath);
  locker.pragma('busy_timeout = 60000');
  locker.exec('BEGIN IMMEDIATE');
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    locker.exec('ROLLBACK');
    locker.close();
  };
}
