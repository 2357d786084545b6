import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeInfo } from '../../../../shared/contract/admin-api.js';
import { RuntimeViews, type NodeFacts } from '../../../../receiver/admin/runtime-views.js';
import { migrate } from '../../../../receiver/store/sqlite/schema.js';

describe('the node view', () => {
  let db: Database.Database;
  beforeEach(() => {
    db = new Database(':memory:');
    migrate(db);
  });
  afterEach(() => db.close());

  const facts = (extra: Partial<NodeFacts> = {}): NodeFacts => ({
    nodeId: 'eu-1',
    version: '1.0.0',
    startedAt: Date.parse('2026-01-01T00:00:00Z'),
    sharedState: null,
    health: () => ({ storage: { ok: true }, redis: { ok: false, detail: 'connection refused' } }),
    ready: () => false,
    ...extra,
  });

  it('carries the node clock, readiness and dependencies, and the downstream backlog it is given', () => {
    const views = new RuntimeViews(db, facts({ downstream: () => ({ backlog: 42, oldestAgeSeconds: 17 }) }));
    const info = nodeInfo.parse(views.nodeInfo(Date.parse('2026-01-01T01:00:00Z')));
    expect(info).toMatchObject({
      time: '2026-01-01T01:00:00.000Z',
      uptimeSeconds: 3600,
      ready: false,
      storage: { ok: true },
      redis: { ok: false, detail: 'connection refused' },
      downstream: { ok: true, backlog: 42, oldestAgeSeconds: 17 },
    });
  });

  it('reports a backlog it cannot read as not ok, never as an empty queue', () => {
    const views = new RuntimeViews(
      db,
      facts({
        downstream: () => {
          throw new Error('database is locked');
        },
      }),
    );
    expect(views.nodeInfo(Date.now()).downstream).toEqual({ ok: false, backlog: 0, oldestAgeSeconds: null, detail: 'backlog unreadable: database is locked' });
    expect(new RuntimeViews(db, facts()).nodeInfo(Date.now()).downstream).toBeUndefined();
  });
});
