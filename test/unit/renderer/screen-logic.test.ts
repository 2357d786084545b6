import { describe, expect, it } from 'vitest';
import type { IntegrationEntry } from '../../../shared/contract/console.js';
import { appendLive } from '../../../renderer/src/queries/live-list.js';
import { inventoryRows, oldestSecretDays } from '../../../renderer/src/screens/inventory/inventory-rows.js';
import { filterFromQuery, matchesLive, NO_FILTER } from '../../../renderer/src/screens/live/live-filter.js';
import { fleetDelivery } from '../../helpers/delivery-summary.js';

describe('the live list', () => {
  it('puts a batch in newest first and caps the list', () => {
    const older = { deliveries: [fleetDelivery({ seq: 2 }), fleetDelivery({ seq: 1 })], dropped: 1 };
    const next = appendLive(older, [fleetDelivery({ seq: 3 }), fleetDelivery({ seq: 4 })], 2, 3);
    expect(next.deliveries.map((delivery) => delivery.seq)).toEqual([4, 3, 2]);
    expect(next.dropped).toBe(3);
  });

  it('filters by fleet, outcome and text over integration, reason, diagnosis and address', () => {
    const failed = fleetDelivery({ seq: 1, outcome: 'rejected', reason: 'signature_invalid', diagnosis: 'secret_whitespace', fleetId: 'eu' });
    const ok = fleetDelivery({ seq: 2, fleetId: 'us' });
    expect([failed, ok].filter((delivery) => matchesLive(delivery, { ...NO_FILTER, fleetId: 'eu' }))).toEqual([failed]);
    expect([failed, ok].filter((delivery) => matchesLive(delivery, { ...NO_FILTER, outcome: 'accepted' }))).toEqual([ok]);
    expect([failed, ok].filter((delivery) => matchesLive(delivery, { ...NO_FILTER, text: 'WHITESPACE' }))).toEqual([failed]);
    expect([failed, ok].filter((delivery) => matchesLive(delivery, NO_FILTER))).toHaveLength(2);
    expect([failed, ok].filter((delivery) => matchesLive(delivery, { ...NO_FILTER, reason: 'signature_invalid' }))).toEqual([failed]);
    expect([failed, ok].filter((delivery) => matchesLive(delivery, { ...NO_FILTER, integrationId: 'other' }))).toEqual([]);
  });

  it('reads a filter from the address, so other screens can link to matching deliveries', () => {
    expect(filterFromQuery('fleet=eu&integration=pay&outcome=rejected&reason=timestamp_stale&text=1.2.3.4')).toEqual({
      fleetId: 'eu',
      integrationId: 'pay',
      outcome: 'rejected',
      reason: 'timestamp_stale',
      text: '1.2.3.4',
    });
    expect(filterFromQuery('outcome=exploded&reason=nope')).toEqual(NO_FILTER);
  });
});

describe('the inventory table', () => {
  const entry = (fields: Partial<IntegrationEntry>): IntegrationEntry => ({
    id: 'pay',
    fleetId: 'eu',
    scheme: 'stripe',
    path: '/hooks/pay',
    status: 'active',
    kill: null,
    secrets: [{ id: 's1', createdAt: new Date(Date.now() - 100 * 86_400_000).toISOString(), fingerprint: 'abcd1234', state: 'active', source: 'file' }],
    limits: { toleranceSeconds: 300, dedupeWindowSeconds: 259_200, maxBodyBytes: 1_048_576, rateLimit: null },
    heldCount: 0,
    counts24h: { total: 10, accepted: 9, rejected: 1, duplicate: 0 },
    lastDeliveryAt: null,
    drift: [],
    nodes: [],
    warnings: [],
    ...fields,
  });

  it('filters by status and text, and sorts by failure rate, worst first', () => {
    const rows = [entry({ id: 'a', counts24h: { total: 10, accepted: 10, rejected: 0, duplicate: 0 } }), entry({ id: 'b', status: 'killed' }), entry({ id: 'c', scheme: 'github' })];
    expect(inventoryRows(rows, { text: '', status: 'killed' }, 'id').map((row) => row.id)).toEqual(['b']);
    expect(inventoryRows(rows, { text: 'GITHUB', status: 'all' }, 'id').map((row) => row.id)).toEqual(['c']);
    expect(inventoryRows(rows, { text: '', status: 'all' }, 'failureRate').map((row) => row.id)).toEqual(['b', 'c', 'a']);
  });

  it('ages secrets from the oldest one still accepted', () => {
    expect(oldestSecretDays(entry({}), Date.now())).toBe(100);
  });
});
