import { describe, expect, it } from 'vitest';
import type { AuditEntry, AuditLog } from '../../../shared/contract/admin-api.js';
import { auditTimeline, type AuditSource } from '../../../electron/main/services/audit/audit-timeline.js';

const entry = (seq: number, minute: number): AuditEntry => ({
  seq,
  at: new Date(Date.UTC(2026, 10, 30, 1, minute)).toISOString(),
  actor: 'console',
  person: 'ana@laptop',
  action: 'secret.add',
  integrationId: 'pay',
  details: {},
  prevHash: 'p',
  hash: 'h',
});

/** A node that pages its chain as the admin API does: newest first, `cursor` = everything older than that seq. */
function pagingNode(url: string, entries: AuditEntry[], calls: (string | undefined)[] = []): AuditSource {
  return {
    url,
    read: ({ cursor, limit }) => {
      calls.push(cursor);
      const older = entries.filter((candidate) => cursor === undefined || candidate.seq < Number(cursor)).sort((a, b) => b.seq - a.seq);
      const page = older.slice(0, limit);
      const log: AuditLog = { entries: page, chain: { verified: true }, nextCursor: older.length > limit ? String(page.at(-1)?.seq) : null };
      return Promise.resolve(log);
    },
  };
}

/** A node of a version before audit paging: the whole chain, oldest first, whatever it is asked. */
const unpagedNode = (url: string, entries: AuditEntry[]): AuditSource => ({ url, read: () => Promise.resolve({ entries, chain: { verified: false, brokenAt: 2 } }) });

async function everyPage(sources: AuditSource[], limit: number) {
  const pages = [];
  let cursor: string | undefined;
  do {
    const page = await auditTimeline(sources, cursor, limit);
    pages.push(page);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined && pages.length < 50);
  return pages;
}

describe('the fleet audit timeline', () => {
  it('merges every node\'s chain newest first, page by page, with nothing repeated or lost', async () => {
    const a = [entry(1, 1), entry(2, 4), entry(3, 5), entry(4, 9)];
    const b = [entry(1, 2), entry(2, 3), entry(3, 6), entry(4, 7), entry(5, 8)];
    const pages = await everyPage([pagingNode('http://a', a), pagingNode('http://b', b)], 3);
    const seen = pages.flatMap((page) => page.entries.map((shown) => `${shown.nodeUrl.slice(7)}${shown.seq}@${shown.at.slice(14, 16)}`));
    expect(seen).toEqual(['a4@09', 'b5@08', 'b4@07', 'b3@06', 'a3@05', 'a2@04', 'b2@03', 'b1@02', 'a1@01']);
    expect(pages.map((page) => page.entries.length)).toEqual([3, 3, 3]);
    expect(pages.at(-1)?.nextCursor).toBeNull();
  });

  it('pages a node that ignores paging without repeating it, and keeps its chain state per node', async () => {
    const pages = await everyPage([unpagedNode('http://old', [entry(1, 1), entry(2, 3), entry(3, 5)]), pagingNode('http://new', [entry(1, 2), entry(2, 4)])], 2);
    expect(pages.flatMap((page) => page.entries.map((shown) => `${shown.nodeUrl.slice(7)}${shown.seq}`))).toEqual(['old3', 'new2', 'old2', 'new1', 'old1']);
    expect(pages[0]?.nodes).toEqual([
      { url: 'http://old', chain: { verified: false, brokenAt: 2 } },
      { url: 'http://new', chain: { verified: true } },
    ]);
  });

  it('names a node that did not answer and keeps its place for the next page', async () => {
    let down = true;
    const flaky: AuditSource = { url: 'http://flaky', read: (page) => (down ? Promise.reject(new Error('cannot reach http://flaky')) : pagingNode('http://flaky', [entry(1, 9)]).read(page)) };
    const first = await auditTimeline([pagingNode('http://a', [entry(1, 1)]), flaky], undefined, 10);
    expect(first.entries.map((shown) => shown.nodeUrl)).toEqual(['http://a']);
    expect(first.nodes).toContainEqual({ url: 'http://flaky', error: 'cannot reach http://flaky' });
    expect(first.nextCursor).not.toBeNull();
    down = false;
    const second = await auditTimeline([pagingNode('http://a', [entry(1, 1)]), flaky], first.nextCursor ?? undefined, 10);
    expect(second.entries.map((shown) => shown.nodeUrl)).toEqual(['http://flaky']);
  });
});
