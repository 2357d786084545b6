import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
    expect(log.read()).toEqual({ entries: [first, second], chain: { verified: true } });
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
