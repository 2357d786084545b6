import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MultiRowInsert } from '../../../../receiver/store/sqlite/multi-row-insert.js';

describe('multi-row insert', () => {
  let db: Database.Database;
  let insert: MultiRowInsert;
  beforeEach(() => {
    db = new Database(':memory:');
    db.exec('CREATE TABLE t (seq INTEGER PRIMARY KEY, name TEXT NOT NULL, digest BLOB)');
    insert = new MultiRowInsert(db, 't (name, digest)', '(?, unhex(?))', 2);
  });
  afterEach(() => db.close());

  const rows = (): unknown[] => db.prepare('SELECT seq, name, hex(digest) AS digest FROM t ORDER BY seq').raw().all();

  it('inserts any number of rows in order, across statements of different sizes, and names the first one\'s rowid', () => {
    let expected: unknown[] = [];
    for (const count of [1, 37, 32, 300, 5]) {
      const names = Array.from({ length: count }, (_, index) => `r${expected.length + index}`);
      expect(insert.insert(names.flatMap((name) => [name, 'ab']))).toBe(expected.length + 1);
      expected = [...expected, ...names.map((name, index) => [expected.length + index + 1, name, 'AB'])];
    }
    expect(rows()).toEqual(expected);
    expect(insert.insert([])).toBeUndefined();
  });

  it('inserts none of the rows a statement holds when one of them fails', () => {
    expect(() => insert.insert(['kept', null, null, null])).toThrow(/NOT NULL/);
    insert.insert(['after', null]);
    expect(rows().map((row) => (row as unknown[])[1])).toEqual(['after']);
  });
});
