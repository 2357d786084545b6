import type Database from 'better-sqlite3';
import { fingerprint } from './fingerprint.js';

/**
 * When this node first saw each secret, kept in its store: a secret whose config gives no `createdAt`
 * is as old as that, across restarts, so the console's age and "rotate after 90 days" stay true. A secret
 * is known by integration, id and a short fingerprint of its value: a new value under the same id is a
 * new secret.
 */
export class SecretFirstSeen {
  private readonly insert: Database.Statement<[string, string, string, number]>;
  private readonly select: Database.Statement<[string, string, string], number>;

  constructor(db: Database.Database) {
    this.insert = db.prepare('INSERT OR IGNORE INTO secret_first_seen (integration_id, secret_id, fingerprint, first_seen_at) VALUES (?, ?, ?, ?)');
    this.select = db
      .prepare('SELECT first_seen_at FROM secret_first_seen WHERE integration_id = ? AND secret_id = ? AND fingerprint = ?')
      .pluck() as Database.Statement<[string, string, string], number>;
  }

  /** The first time this secret was seen, recording `now` if this is it. */
  at(integrationId: string, secretId: string, value: string, now: number): number {
    const print = fingerprint(value);
    this.insert.run(integrationId, secretId, print, now);
    return this.select.get(integrationId, secretId, print) ?? now;
  }
}
