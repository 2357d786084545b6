import type Database from 'better-sqlite3';
import type { ReplayKey } from '../delivery-record.js';
import type { ReplayCache } from '../replay-cache.js';

/**
 * The replay cache of a single node. The keys themselves are written by the DeliveryWriter in the
 * same transaction as the delivery; between claim and commit they sit in `pending`, which makes
 * claim atomic within this process (one event loop) without a write per request.
 */
export class SqliteReplayCache implements ReplayCache {
  private readonly pending = new Set<string>();
  private readonly lookup: Database.Statement<[string, number], unknown>;

  constructor(db: Database.Database) {
    this.lookup = db.prepare('SELECT 1 FROM replay_cache WHERE key = ? AND expires_at > ?').pluck();
  }

  claim(keys: readonly ReplayKey[], now: number): Promise<{ result: 'new' } | { result: 'seen'; key: ReplayKey }> {
    for (const key of keys) {
      if (this.pending.has(key.key) || this.lookup.get(key.key, now) !== undefined) {
        return Promise.resolve({ result: 'seen', key });
      }
    }
    for (const key of keys) this.pending.add(key.key);
    return Promise.resolve({ result: 'new' });
  }

  settle(keys: readonly ReplayKey[]): Promise<void> {
    for (const key of keys) this.pending.delete(key.key);
    return Promise.resolve();
  }
}
