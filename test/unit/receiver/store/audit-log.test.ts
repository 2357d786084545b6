import Database from 'better-sqlite3';
import * as crypto from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof crypto>();
  return { ...original, createHash: vi.fn(original.createHash) };
});
import { AuditLog, GENESIS_HASH, canonicalJson } from '../../../../receiver/store/sqlite/audit-log.js';
import { migrate } from '../../../../receiver/store/sqlite/schema.js';

describe('audit log', () => {
  let db: Database.Database;
  let log: AuditLog;
  beforeEach(() => {
    db = new Database(':memory:');
    migrate(db);
    log = new AuditLog(db);
  });
  afterEach(() => db.close());

  const at = Date.parse('2025-03-01T10:00:00Z');
  function appendSome(count: number): void {
    for (let index = 0; index < count; index++) {
      log.append({ at: at + index * 1000, actor: index % 2 ? 'ops' : 'console', action: 'kill.engage', integrationId: 'pay', details: { mode: 'hold', reason: `incident ${index}`, nested: { b: 1, a: [2, 3] } } });
    }
  }

  it('chains entries: the first links to 64 zeros, each next one to the previous hash', () => {
    const first = log.append({ at, actor: 'console', action: 'secret.add', integrationId: 'pay', details: { secretId: 's2', overlapSeconds: 3600 } });
    const second = log.append({ at: at + 5, actor: 'console', action: 'auth.refused', integrationId: null, details: { status: 401 } });
    expect(first).toMatchObject({ seq: 1, at: '2025-03-01T10:00:00.000Z', prevHash: GENESIS_HASH, details: { secretId: 's2', overlapSeconds: 3600 } });
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(second).toMatchObject({ seq: 2, prevHash: first.hash, integrationId: null });
    expect(log.read()).toEqual({ entries: [second, first], chain: { verified: true }, nextCursor: null });
  });

  it('pages newest first with a cursor until the start of the chain', () => {
    appendSome(7);
    const pages: number[][] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = log.read({ limit: 3, ...(cursor === undefined ? {} : { cursor }) });
      expect(page.chain).toEqual({ verified: true });
      pages.push(page.entries.map((entry) => entry.seq));
      if (page.nextCursor == null) break;
      cursor = page.nextCursor;
    }
    expect(pages).toEqual([[7, 6, 5], [4, 3, 2], [1]]);
  });

  it('verifies the whole chain once and then only what was appended, still catching a change on the page it returns', () => {
    appendSome(20);
    const hashed = vi.mocked(crypto.createHash);
    hashed.mockClear();
    expect(log.read({ limit: 2 }).chain).toEqual({ verified: true });
    const firstRead = hashed.mock.calls.length;
    expect(firstRead).toBeGreaterThanOrEqual(20);
    hashed.mockClear();
    appendSome(1);
    expect(log.read({ limit: 2 }).chain).toEqual({ verified: true });
    // One new entry to check, plus the two of the page (and the append's own hash).
    expect(hashed.mock.calls.length).toBeLessThanOrEqual(4);
    // An old entry altered after the checkpoint passed it is found when its page is read.
    db.exec("UPDATE audit SET actor = 'mallory' WHERE seq = 5");
    expect(log.read({ cursor: '7', limit: 3 }).chain).toEqual({ verified: false, brokenAt: 5 });
  });

  it('records the person beside the actor and chains it: changing it breaks the chain', () => {
    const entry = log.append({ at, actor: 'console', action: 'kill.engage', integrationId: 'pay', details: {}, person: 'ana@desk-7' });
    expect(entry.person).toBe('ana@desk-7');
    log.append({ at, actor: 'console', action: 'kill.release', integrationId: 'pay', details: {} });
    expect(log.read().chain).toEqual({ verified: true });
    db.exec("UPDATE audit SET person = 'bob@desk-9' WHERE seq = 1");
    expect(new AuditLog(db).read().chain).toEqual({ verified: false, brokenAt: 1 });
  });

  it('hashes details independently of their key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}');
    const one = log.append({ at, actor: 'a', action: 'x', integrationId: null, details: { b: 1, a: 2 } });
    db.exec('DELETE FROM audit');
    const two = log.append({ at, actor: 'a', action: 'x', integrationId: null, details: { a: 2, b: 1 } });
    expect(two.hash).toBe(one.hash);
  });

  it.each([
    ['action', "action = 'kill.release'"],
    ['actor', "actor = 'mallory'"],
    ['time', 'at = at + 1'],
    ['details', `details = '{"mode":"drop","nested":{"a":[2,3],"b":1},"reason":"incident 3"}'`],
    ['integration', 'integration_id = NULL'],
  ])('reports the first altered entry when its %s is changed in the table', (_field, assignment) => {
    appendSome(6);
    db.exec(`UPDATE audit SET ${assignment} WHERE seq = 4`);
    const { entries, chain } = log.read();
    expect(entries).toHaveLength(6);
    expect(chain).toEqual({ verified: false, brokenAt: 4 });
  });

  it('reports an entry whose stored hash was overwritten', () => {
    appendSome(5);
    db.exec(`UPDATE audit SET hash = '${'ab'.repeat(32)}' WHERE seq = 2`);
    expect(log.read().chain).toEqual({ verified: false, brokenAt: 2 });
  });

  it('reports a removed entry at the next one, whose link no longer matches', () => {
    appendSome(5);
    db.exec('DELETE FROM audit WHERE seq = 3');
    expect(log.read().chain).toEqual({ verified: false, brokenAt: 4 });
  });

  it('reports a removed first entry', () => {
    appendSome(3);
    db.exec('DELETE FROM audit WHERE seq = 1');
    expect(log.read().chain).toEqual({ verified: false, brokenAt: 2 });
  });

  it('keeps appending after a restart on the same table', () => {
    appendSome(2);
    const reopened = new AuditLog(db);
    const next = reopened.append({ at, actor: 'console', action: 'secret.retire', integrationId: 'pay', details: { secretId: 's1' } });
    expect(next.seq).toBe(3);
    expect(reopened.read().chain).toEqual({ verified: true });
  });
});
