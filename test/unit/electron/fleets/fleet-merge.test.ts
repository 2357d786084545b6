import { describe, expect, it } from 'vitest';
import type { DeliverySummary, IntegrationView } from '../../../../shared/contract/admin-api.js';
import { decodeCursor, encodeCursor, hasMore } from '../../../../electron/main/services/fleets/fleet-cursor.js';
import { mergePages } from '../../../../electron/main/services/fleets/delivery-merge.js';
import { shows, type FleetOperation } from '../../../../electron/main/services/fleets/fleet-operations.js';
import { mergeInventories } from '../../../../electron/main/services/fleets/integration-merge.js';
import { createHash } from 'node:crypto';
import { deliverySummary } from '../../../helpers/delivery-summary.js';

function delivery(seq: number, atMs: number): DeliverySummary {
  return deliverySummary({ seq, receivedAt: new Date(atMs).toISOString(), nodeId: 'n', skewMs: 0 });
}

/** A node's log, newest first, paged like the receiver: cursor = seq of the last entry, next page older. */
function nodeLog(times: readonly number[]) {
  const all = times.map((at, index) => delivery(index + 1, at)).reverse();
  return (cursor: string | null | undefined, limit: number) => {
    const rest = cursor ? all.filter((entry) => entry.seq < Number(cursor)) : all;
    const page = rest.slice(0, limit);
    return { deliveries: page, nextCursor: rest.length > limit ? String(page.at(-1)?.seq) : null };
  };
}

describe('the combined deliveries cursor', () => {
  it('round-trips as base64url JSON and refuses anything else', () => {
    const state = { 'https://a:9090': '12', 'https://b:9090': null, 'https://c:9090': '' };
    const cursor = encodeCursor(state);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(state);
    expect(hasMore({ a: null })).toBe(false);
    expect(hasMore({ a: null, b: '' })).toBe(true);
    for (const bad of ['%%%', Buffer.from('{"v":2,"n":{}}').toString('base64url'), Buffer.from('{"v":1,"n":{"a":"1; DROP"}}').toString('base64url')]) {
      expect(() => decodeCursor(bad)).toThrow(/not one this console made/);
    }
  });

  it('pages two interleaved node logs newest first with no gap and no repeat', () => {
    const a = nodeLog([1, 4, 5, 9, 10, 11, 20]);
    const b = nodeLog([2, 3, 6, 7, 8, 12, 13, 14, 15]);
    const logs: Record<string, typeof a> = { a, b };
    let state: Record<string, string | null> = { a: '', b: '' };
    const seen: number[] = [];
    for (let pages = 0; hasMore(state) && pages < 20; pages++) {
      const pageset = Object.entries(state)
        .filter(([, cursor]) => cursor !== null)
        .map(([url, cursor]) => ({ url, page: logs[url]!(cursor, 3) }));
      const merged = mergePages(pageset, 3);
      seen.push(...merged.deliveries.map(({ delivery: entry }) => Date.parse(entry.receivedAt)));
      state = { ...state, ...merged.next };
    }
    expect(seen).toEqual([20, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
  });
});

describe('fan-out confirmation', () => {
  const view = (fields: Partial<IntegrationView>): IntegrationView => ({
    id: 'pay',
    scheme: 'stripe',
    path: '/hooks/pay',
    status: 'active',
    kill: null,
    secrets: [],
    limits: { toleranceSeconds: 300, dedupeWindowSeconds: 60, maxBodyBytes: 1, rateLimit: null },
    heldCount: 0,
    counts24h: { total: 0, accepted: 0, rejected: 0, duplicate: 0 },
    lastDeliveryAt: null,
    drift: [],
    ...fields,
  });
  const since = new Date().toISOString();

  it('takes a kill as shown only with the same mode and reason', () => {
    const kill: FleetOperation = { kind: 'kill', integrationId: 'pay', mode: 'hold', reason: ' incident ' };
    expect(shows(kill, view({ status: 'held', kill: { mode: 'hold', reason: 'incident', since, actor: 'x' } }))).toBe(true);
    expect(shows(kill, view({ status: 'killed', kill: { mode: 'reject', reason: 'incident', since, actor: 'x' } }))).toBe(false);
    expect(shows(kill, view({}))).toBe(false);
    expect(shows({ kind: 'release', integrationId: 'pay', reason: 'x' }, view({}))).toBe(true);
  });

  it('takes a new secret as shown only with its id and the fingerprint of its value', () => {
    const secret = 'whsec_new';
    const fingerprint = createHash('sha256').update(secret).digest('hex').slice(0, 8);
    const add: FleetOperation = { kind: 'addSecret', integrationId: 'pay', secretId: 's2', secret };
    const entry = (fp: string, state: 'active' | 'retired') => ({ id: 's2', createdAt: since, fingerprint: fp, state, source: 'runtime' as const });
    expect(shows(add, view({ secrets: [entry(fingerprint, 'active')] }))).toBe(true);
    expect(shows(add, view({ secrets: [entry('00000000', 'active')] }))).toBe(false);
    expect(shows(add, view({ secrets: [entry(fingerprint, 'retired')] }))).toBe(false);
    const retire: FleetOperation = { kind: 'retireSecret', integrationId: 'pay', secretId: 's2' };
    expect(shows(retire, view({ secrets: [entry(fingerprint, 'retired')] }))).toBe(true);
    expect(shows(retire, view({ secrets: [] }))).toBe(true);
    expect(shows(retire, view({ secrets: [entry(fingerprint, 'active')] }))).toBe(false);
  });

  it('merges inventories: counts summed, drift and silent nodes named', () => {
    const base = { counts24h: { total: 2, accepted: 2, rejected: 0, duplicate: 0 }, heldCount: 1 };
    const [entry] = mergeInventories('prod', [
      { url: 'a', integrations: [{ ...view(base), status: 'killed' }] },
      { url: 'b', integrations: [view({ ...base, lastDeliveryAt: since })] },
      { url: 'c', integrations: [] },
      { url: 'd', error: 'cannot reach d' },
    ]);
    expect(entry).toMatchObject({ fleetId: 'prod', status: 'killed', heldCount: 2, counts24h: { total: 4 }, lastDeliveryAt: since });
    expect(entry?.nodes.map((node) => node.status)).toEqual(['killed', 'active', 'missing', 'unreachable']);
    expect(entry?.warnings).toEqual(['not configured on c', 'nodes disagree on the status: a killed, b active', 'no answer from d: cannot reach d']);
  });
});
