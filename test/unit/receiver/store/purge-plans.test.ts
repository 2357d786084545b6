import type Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PURGE_SQL } from '../../../../receiver/store/sqlite/log-writer.js';
import { openDatabase } from '../../../../receiver/store/sqlite/open-database.js';

/**
 * The purge runs every minute on the writer thread, and every 202 waits behind it: its cost must follow what it
 * removes, not the log's size. SQLite's plan says so whatever the machine: no statement walks the log table.
 */
describe('the purge', () => {
  const directory = mkdtempSync(join(tmpdir(), 'hookwarden-purge-plans-'));
  const db: Database.Database = openDatabase({ directory, sync: 'normal' });
  afterAll(() => {
    db.close();
    rmSync(directory, { recursive: true, force: true });
  });

  const plan = (sql: string): string[] => {
    const statement = db.prepare(`EXPLAIN QUERY PLAN ${sql}`);
    const named = [...new Set(sql.match(/@\w+/g) ?? [])].map((name) => [name.slice(1), 0]);
    const rows = named.length > 0 ? statement.all(Object.fromEntries(named)) : statement.all(...sql.split('?').slice(1).map(() => 0));
    return (rows as { detail: string }[]).map((row) => row.detail);
  };

  it('never scans a table', () => {
    for (const [name, sql] of Object.entries(PURGE_SQL)) expect(plan(sql).filter((step) => step.startsWith('SCAN')), name).toEqual([]);
  });

  it('finds expired captures and those the ceiling takes first through their expiry index, and the replay window\'s end through the time index', () => {
    expect(plan(PURGE_SQL.expiredCaptures).join('\n')).toContain('USING INDEX deliveries_by_capture_expiry (capture_expires_at<?)');
    expect(plan(PURGE_SQL.nearestExpiryCaptures)).toEqual(['SEARCH deliveries USING INDEX deliveries_by_capture_expiry (capture_expires_at>?)']);
    expect(plan(PURGE_SQL.lastSeqBefore).join('\n')).toContain('USING COVERING INDEX deliveries_by_time (received_at<?)');
  });
});
