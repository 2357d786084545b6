import type { AuditEntry, AuditLog } from '../../../../shared/contract/admin-api.js';
import type { CommandResult } from '../../../../shared/contract/console.js';
import { decodeCursor, encodeCursor, hasMore, type CursorState } from '../fleets/fleet-cursor.js';

/** One node's audit chain, read a page at a time. */
export interface AuditSource {
  readonly url: string;
  read(page: { cursor?: string | undefined; limit: number }): Promise<AuditLog>;
}

export type AuditTimeline = CommandResult<'audit.timeline'>;

interface NodeRead {
  readonly url: string;
  readonly kind: 'read';
  readonly log: AuditLog;
  /** Newest first, only those older than the node's place. */
  readonly entries: readonly AuditEntry[];
}
type NodeAnswer = NodeRead | { readonly url: string; readonly kind: 'done' } | { readonly url: string; readonly kind: 'failed'; readonly error: string };

/**
 * Every node's audit chain as one timeline, newest first, `limit` entries a page. The cursor holds
 * each node's own place (the seq of the oldest entry shown: the node continues with everything
 * older). Entries are taken from each node in its own newest-first order, so a node's place is
 * exact; entries at or above it are dropped, so a node that ignores paging or counts its cursor
 * inclusively repeats nothing. A node that fails keeps its place and is named in `nodes`.
 */
export async function auditTimeline(sources: readonly AuditSource[], cursor: string | undefined, limit: number): Promise<AuditTimeline> {
  const state: CursorState = cursor === undefined ? Object.fromEntries(sources.map(({ url }) => [url, ''])) : decodeCursor(cursor);
  const answers: NodeAnswer[] = await Promise.all(
    sources.map(async (source): Promise<NodeAnswer> => {
      const { url } = source;
      const place = state[url];
      if (typeof place !== 'string') return { url, kind: 'done' };
      try {
        const log = await source.read({ cursor: place || undefined, limit });
        const entries = log.entries.filter((entry) => place === '' || entry.seq < Number(place)).sort((a, b) => b.seq - a.seq);
        return { url, kind: 'read', log, entries };
      } catch (error) {
        return { url, kind: 'failed', error: error instanceof Error ? error.message : 'the node did not answer' };
      }
    }),
  );
  const read = answers.filter((answer): answer is NodeRead => answer.kind === 'read');
  const taken = read.map(() => 0);
  const entries: (AuditEntry & { nodeUrl: string })[] = [];
  while (entries.length < limit) {
    // The node whose next entry is the newest; ties go to the node listed first, for a stable order.
    let best = -1;
    read.forEach((answer, index) => {
      const head = answer.entries[taken[index] ?? 0];
      const bestHead = best < 0 ? undefined : read[best]?.entries[taken[best] ?? 0];
      if (head && (!bestHead || Date.parse(head.at) > Date.parse(bestHead.at))) best = index;
    });
    const chosen = read[best];
    if (!chosen) break;
    const position = taken[best] ?? 0;
    entries.push({ ...(chosen.entries[position] as AuditEntry), nodeUrl: chosen.url });
    taken[best] = position + 1;
  }
  const next: CursorState = { ...state };
  read.forEach((answer, index) => {
    const count = taken[index] ?? 0;
    if (count === answer.entries.length) next[answer.url] = answer.log.nextCursor ?? null;
    else if (count > 0) next[answer.url] = String((answer.entries[count - 1] as AuditEntry).seq);
  });
  return {
    entries,
    nodes: answers.flatMap((answer): AuditTimeline['nodes'] => {
      if (answer.kind === 'failed') return [{ url: answer.url, error: answer.error }];
      if (answer.kind === 'read') return [{ url: answer.url, chain: answer.log.chain }];
      return [];
    }),
    nextCursor: hasMore(next) ? encodeCursor(next) : null,
  };
}
