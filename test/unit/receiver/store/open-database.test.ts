import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../receiver/store/sqlite/open-database.js';

const pageSize = (db: Database.Database): number => db.pragma('page_size', { simple: true }) as number;

describe('opening the node database', () => {
  it('creates a new database with 2 KB pages in WAL mode', () => {
    const db = openDatabase({ directory: mkdtempSync(join(tmpdir(), 'hookwarden-open-')), sync: 'full' });
    expect([pageSize(db), db.pragma('journal_mode', { simple: true })]).toEqual([2048, 'wal']);
    db.close();
  });

  it('keeps the page size of a database written before', () => {
    const directory = mkdtempSync(join(tmpdir(), 'hookwarden-open-'));
    const older = new Database(join(directory, 'receiver.db'));
    older.pragma('journal_mode = WAL');
    older.exec('CREATE TABLE kept (value TEXT); INSERT INTO kept VALUES (1);');
    older.close();
    const db = openDatabase({ directory, sync: 'full' });
    expect(pageSize(db)).toBe(4096);
    expect(db.prepare('SELECT value FROM kept').pluck().get()).toBe('1');
    db.close();
  });
});
