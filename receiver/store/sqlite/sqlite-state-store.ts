import type Database from 'better-sqlite3';
import type { SealedState, StateStore } from '../state-store.js';

/** Runtime state of a single node, in its own SQLite file; changes are seen only by this process. */
export class SqliteStateStore implements StateStore {
  private readonly listeners = new Set<(integrationId: string) => void>();
  private readonly selectAll: Database.Statement<[], { integration_id: string; version: number; sealed: Buffer }>;
  private readonly selectOne: Database.Statement<[string], { version: number; sealed: Buffer }>;
  private readonly cas: Database.Transaction<(integrationId: string, expected: number, next: SealedState) => boolean>;

  constructor(db: Database.Database) {
    this.selectAll = db.prepare('SELECT integration_id, version, sealed FROM integration_state');
    this.selectOne = db.prepare('SELECT version, sealed FROM integration_state WHERE integration_id = ?');
    const upsert = db.prepare(
      'INSERT INTO integration_state (integration_id, version, sealed) VALUES (?, ?, ?) ON CONFLICT (integration_id) DO UPDATE SET version = excluded.version, sealed = excluded.sealed',
    );
    this.cas = db.transaction((integrationId: string, expected: number, next: SealedState) => {
      const current = this.selectOne.get(integrationId)?.version ?? 0;
      if (current !== expected) return false;
      upsert.run(integrationId, next.version, next.sealed);
      return true;
    });
  }

  loadAll(): Promise<Map<string, SealedState>> {
    return Promise.resolve(new Map(this.selectAll.all().map((row) => [row.integration_id, { version: row.version, sealed: row.sealed }])));
  }

  load(integrationId: string): Promise<SealedState | undefined> {
    return Promise.resolve(this.selectOne.get(integrationId));
  }

  compareAndSet(integrationId: string, expectedVersion: number, next: SealedState): Promise<boolean> {
    // IMMEDIATE: the read of the version must not be a snapshot the writer thread's commits make stale.
    const stored = this.cas.immediate(integrationId, expectedVersion, next);
    if (stored) for (const listener of this.listeners) listener(integrationId);
    return Promise.resolve(stored);
  }

  watch(onChange: (integrationId: string) => void): () => void {
    this.listeners.add(onChange);
    return () => this.listeners.delete(onChange);
  }

  close(): Promise<void> {
    this.listeners.clear();
    return Promise.resolve();
  }
}
