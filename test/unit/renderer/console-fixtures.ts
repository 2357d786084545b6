import type { StatsView } from '../../../shared/contract/admin-api.js';
import type { IntegrationEntry } from '../../../shared/contract/console.js';
import { fleetDelivery } from '../../helpers/delivery-summary.js';
import { fakeApi, type FakeApi } from './fake-api.js';

const NOW = Date.now();
const hoursAgo = (hours: number) => new Date(NOW - hours * 3_600_000).toISOString();

export function integrationEntry(fields: Partial<IntegrationEntry> = {}): IntegrationEntry {
  return {
    id: 'stripe-payments',
    fleetId: 'prod',
    scheme: 'stripe',
    path: '/hooks/stripe-payments',
    status: 'active',
    kill: null,
    secrets: [{ id: 's1', createdAt: hoursAgo(24 * 120), fingerprint: 'abcd1234', state: 'active', source: 'file' }],
    limits: { toleranceSeconds: 300, dedupeWindowSeconds: 259_200, maxBodyBytes: 1_048_576, rateLimit: null },
    heldCount: 0,
    counts24h: { total: 40, accepted: 30, rejected: 10, duplicate: 0 },
    lastDeliveryAt: hoursAgo(1),
    drift: [],
    nodes: [
      { url: 'https://eu-1:9090', status: 'active', secretIds: ['s1'] },
      { url: 'https://eu-2:9090', status: 'killed', secretIds: ['s1'] },
    ],
    warnings: ['The dedupe window is short.'],
    ...fields,
  };
}

export function statsView(nodeId: string): StatsView {
  const hour = Math.floor(NOW / 3_600_000) * 3_600_000;
  const at = (hoursBack: number) => new Date(hour - hoursBack * 3_600_000).toISOString();
  return {
    nodeId,
    since: at(24),
    step: 3_600,
    buckets: [
      { start: at(2), integrationId: 'stripe-payments', outcome: 'accepted', reason: null, count: 30 },
      { start: at(1), integrationId: 'stripe-payments', outcome: 'rejected', reason: 'signature_invalid', count: 10 },
    ],
    bySecret: [{ start: at(2), integrationId: 'stripe-payments', secretId: 's1', count: 30 }],
    diagnoses: [{ integrationId: 'stripe-payments', diagnosis: 'secret_whitespace', count: 4 }],
    clockSkewMs: { count: 40, p50: 800, p95: 45_000, p99: 50_000, max: 60_000 },
    replayCache: { hits: 0, size: 0 },
    topRejectedSources: [{ sourceIp: '203.0.113.7', count: 10 }],
  };
}

/** A console with one fleet of two nodes, one integration, some traffic and failures. */
export function populatedConsole(): FakeApi {
  return fakeApi({
    'fleets.list': () => [
      {
        id: 'prod',
        name: 'production EU',
        tokenStorage: 'keychain',
        nodes: [
          { url: 'https://eu-1:9090', ok: true, version: '0.1.0', nodeId: 'eu-1' },
          { url: 'https://eu-2:9090', ok: false, error: 'connection refused' },
        ],
      },
    ],
    'integrations.list': () => [integrationEntry()],
    'stats.get': () => [
      { url: 'https://eu-1:9090', stats: statsView('eu-1') },
      { url: 'https://eu-2:9090', error: 'connection refused' },
    ],
    'deliveries.list': () => ({ deliveries: [fleetDelivery({ seq: 1, integrationId: 'stripe-payments', status: 401, outcome: 'rejected', reason: 'signature_invalid' })], nextCursor: null }),
    'audit.timeline': () => ({
      entries: [
        { seq: 2, at: hoursAgo(1), actor: 'console', person: 'ana@ops-laptop', action: 'kill.release', integrationId: 'stripe-payments', details: { reason: 'over' }, prevHash: 'b', hash: 'c', nodeUrl: 'https://eu-1:9090' },
        { seq: 7, at: hoursAgo(1.5), actor: 'deploy-bot', person: null, action: 'secret.add', integrationId: 'stripe-payments', details: {}, prevHash: 'x', hash: 'y', nodeUrl: 'https://eu-2:9090' },
        { seq: 1, at: hoursAgo(2), actor: 'console', person: 'ana@ops-laptop', action: 'kill.engage', integrationId: 'stripe-payments', details: { mode: 'hold', reason: 'incident' }, prevHash: 'a', hash: 'b', nodeUrl: 'https://eu-1:9090' },
      ],
      nodes: [
        { url: 'https://eu-1:9090', chain: { verified: false, brokenAt: 2 } },
        { url: 'https://eu-2:9090', chain: { verified: true } },
      ],
      nextCursor: null,
    }),
    'localReceiver.status': () => ({ running: true, url: 'http://127.0.0.1:4100', port: 4100, integrations: [{ id: 'local-test', scheme: 'standard-webhooks', path: '/hooks/local-test' }] }),
  });
}
