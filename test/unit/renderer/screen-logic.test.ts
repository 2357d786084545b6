import { describe, expect, it } from 'vitest';
import type { IntegrationEntry } from '../../../shared/contract/console.js';
import { routeFromHash } from '../../../renderer/src/app/routes.js';
import { appendLive, EMPTY_LIVE, mergeNewestFirst } from '../../../renderer/src/queries/live-list.js';
import { inventoryRows, needsAttention, NO_INVENTORY_FILTER, nodeDrift, oldestSecretDays } from '../../../renderer/src/screens/inventory/inventory-rows.js';
import { filterFromQuery, liveHref, matchesLive, NO_FILTER } from '../../../renderer/src/screens/live/live-filter.js';
import { fleetDelivery } from '../../helpers/delivery-summary.js';

describe('the live list', () => {
  it('puts a batch in newest first, caps the list, and counts every delivery received', () => {
    const older = { deliveries: [fleetDelivery({ seq: 2 }), fleetDelivery({ seq: 1 })], dropped: 1, received: 2 };
    const next = appendLive(older, [fleetDelivery({ seq: 3 }), fleetDelivery({ seq: 4 })], 2, 3);
    expect(next.deliveries.map((delivery) => delivery.seq)).toEqual([4, 3, 2]);
    expect(next).toMatchObject({ dropped: 3, received: 4 });
  });

  it('keeps only the newest of a batch larger than the cap', () => {
    const next = appendLive(EMPTY_LIVE, [1, 2, 3, 4, 5].map((seq) => fleetDelivery({ seq })), 0, 2);
    expect(next.deliveries.map((delivery) => delivery.seq)).toEqual([5, 4]);
    expect(next.received).toBe(5);
  });

  it('merges the nodes\' history into the live list, newest first, each delivery once', () => {
    const live = [fleetDelivery({ seq: 9 }), fleetDelivery({ seq: 7 })];
    const earlier = [fleetDelivery({ seq: 8 }), fleetDelivery({ seq: 7 }), fleetDelivery({ seq: 3 })];
    expect(mergeNewestFirst(live, earlier).map((delivery) => delivery.seq)).toEqual([9, 8, 7, 3]);
    expect(mergeNewestFirst(live, [])).toBe(live);
  });
});

describe('the live filters', () => {
  const failed = fleetDelivery({ seq: 1, outcome: 'rejected', reason: 'signature_invalid', diagnosis: 'secret_whitespace', fleetId: 'eu', sourceIp: '203.0.113.9' });
  const ok = fleetDelivery({ seq: 2, fleetId: 'us', integrationId: 'github' });
  const matching = (filter: Partial<typeof NO_FILTER>) => [failed, ok].filter((delivery) => matchesLive(delivery, { ...NO_FILTER, ...filter }));

  it('match by fleet, integration, outcome and reason', () => {
    expect(matching({})).toEqual([failed, ok]);
    expect(matching({ fleetId: 'eu' })).toEqual([failed]);
    expect(matching({ integrationId: 'github' })).toEqual([ok]);
    expect(matching({ outcome: 'accepted' })).toEqual([ok]);
    expect(matching({ reason: 'signature_invalid' })).toEqual([failed]);
    expect(matching({ fleetId: 'eu', outcome: 'accepted' })).toEqual([]);
  });

  it('match text in the integration, reason, diagnosis, source address or request id, whatever its case', () => {
    expect(matching({ text: 'WHITESPACE' })).toEqual([failed]);
    expect(matching({ text: '203.0.113' })).toEqual([failed]);
    expect(matching({ text: 'r2' })).toEqual([ok]);
    expect(matching({ text: '  ' })).toEqual([failed, ok]);
  });

  it('travel in a link: what one screen writes, Live reads back', () => {
    const filter = { fleetId: 'eu', integrationId: 'pay', outcome: 'rejected', reason: 'timestamp_stale', text: '1.2.3.4' } as const;
    expect(liveHref(filter)).toBe('#live?fleet=eu&integration=pay&outcome=rejected&reason=timestamp_stale&text=1.2.3.4');
    expect(filterFromQuery(liveHref(filter).split('?')[1] ?? '')).toEqual(filter);
    expect(routeFromHash(liveHref(filter))).toEqual({ screen: 'live', filter });
    expect(filterFromQuery('outcome=exploded&reason=nope')).toEqual(NO_FILTER);
    expect(liveHref({})).toBe('#live');
  });
});

describe('the routes', () => {
  it('read a screen, an integration, or fall back to the fleets', () => {
    expect(routeFromHash('#audit')).toEqual({ screen: 'audit' });
    expect(routeFromHash('#integration/eu/stripe%2Fpayments')).toEqual({ screen: 'integration', fleetId: 'eu', integrationId: 'stripe/payments' });
    expect(routeFromHash('#nowhere')).toEqual({ screen: 'fleets' });
    expect(routeFromHash('')).toEqual({ screen: 'fleets' });
  });
});

describe('the inventory table', () => {
  const now = Date.parse('2026-11-24T10:00:00Z');
  const daysAgo = (days: number) => new Date(now - days * 86_400_000).toISOString();
  const entry = (fields: Partial<IntegrationEntry>): IntegrationEntry => ({
    id: 'pay',
    fleetId: 'eu',
    scheme: 'stripe',
    path: '/hooks/pay',
    status: 'active',
    kill: null,
    secrets: [{ id: 's1', createdAt: daysAgo(10), fingerprint: 'abcd1234', state: 'active', source: 'file' }],
    limits: { toleranceSeconds: 300, dedupeWindowSeconds: 259_200, maxBodyBytes: 1_048_576, rateLimit: null },
    heldCount: 0,
    counts24h: { total: 100, accepted: 100, rejected: 0, duplicate: 0 },
    lastDeliveryAt: null,
    drift: [],
    nodes: [
      { url: 'https://n1:9090', status: 'active', secretIds: ['s1'] },
      { url: 'https://n2:9090', status: 'active', secretIds: ['s1'] },
    ],
    warnings: [],
    ...fields,
  });
  const ids = (rows: readonly IntegrationEntry[]) => rows.map((row) => row.id);

  it('filters by fleet, status and text (the fleet\'s name too)', () => {
    const rows = [entry({ id: 'a' }), entry({ id: 'b', status: 'killed' }), entry({ id: 'c', scheme: 'github', fleetId: 'us' })];
    const sort = { key: 'id', descending: false } as const;
    expect(ids(inventoryRows(rows, { ...NO_INVENTORY_FILTER, status: 'killed' }, sort, { now }))).toEqual(['b']);
    expect(ids(inventoryRows(rows, { ...NO_INVENTORY_FILTER, text: 'GITHUB' }, sort, { now }))).toEqual(['c']);
    expect(ids(inventoryRows(rows, { ...NO_INVENTORY_FILTER, fleetId: 'eu' }, sort, { now }))).toEqual(['a', 'b']);
    expect(ids(inventoryRows(rows, { ...NO_INVENTORY_FILTER, text: 'united' }, sort, { now, fleetName: (id) => (id === 'us' ? 'United States' : id) }))).toEqual(['c']);
  });

  it('sorts by any column, either way', () => {
    const rows = [
      entry({ id: 'a', counts24h: { total: 10, accepted: 10, rejected: 0, duplicate: 0 } }),
      entry({ id: 'b', counts24h: { total: 10, accepted: 5, rejected: 5, duplicate: 0 } }),
      entry({ id: 'c', counts24h: { total: 10, accepted: 9, rejected: 1, duplicate: 0 } }),
    ];
    expect(ids(inventoryRows(rows, NO_INVENTORY_FILTER, { key: 'failureRate', descending: true }, { now }))).toEqual(['b', 'c', 'a']);
    expect(ids(inventoryRows(rows, NO_INVENTORY_FILTER, { key: 'id', descending: true }, { now }))).toEqual(['c', 'b', 'a']);
  });

  it('ages secrets from the oldest one a sender may still sign with', () => {
    const secrets = [
      { id: 's0', createdAt: daysAgo(400), fingerprint: '00000000', state: 'retired' as const, source: 'file' as const },
      { id: 's1', createdAt: daysAgo(100), fingerprint: 'abcd1234', state: 'expiring' as const, source: 'file' as const },
      { id: 's2', createdAt: daysAgo(1), fingerprint: 'ef012345', state: 'active' as const, source: 'runtime' as const },
    ];
    expect(oldestSecretDays(entry({ secrets }), now)).toBe(100);
    expect(oldestSecretDays(entry({ secrets: [] }), now)).toBeNull();
  });

  it('names the nodes that disagree, and only needs attention when something is off', () => {
    expect(nodeDrift(entry({}))).toEqual([]);
    expect(needsAttention(entry({}), now)).toBe(false);
    const drifting = entry({
      nodes: [
        { url: 'https://n1:9090', status: 'active', secretIds: ['s1', 's2'] },
        { url: 'https://n2:9090', status: 'killed', secretIds: ['s1'] },
        { url: 'https://n3:9090', status: 'missing', secretIds: [] },
      ],
    });
    expect(nodeDrift(drifting)).toEqual([
      'missing on n3:9090',
      'status differs: n1:9090 active, n2:9090 killed',
      'secrets differ: n1:9090 [s1, s2], n2:9090 [s1]',
    ]);
    expect(needsAttention(drifting, now)).toBe(true);
    expect(needsAttention(entry({ secrets: [{ id: 's1', createdAt: daysAgo(91), fingerprint: 'abcd1234', state: 'active', source: 'file' }] }), now)).toBe(true);
  });
});
