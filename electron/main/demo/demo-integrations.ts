import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { SchemeName } from '../../../shared/model/schemes.js';
import { newSigningSecret } from '../services/rotation/new-secret.js';
import type { DemoProvider } from './provider-signers.js';

/** One event as its provider would send it: the body bytes, the id the provider dedupes on, extra headers. */
export interface ProviderEvent {
  readonly id: string;
  readonly body: string;
  readonly headers: Record<string, string>;
}

export interface DemoIntegration {
  readonly id: string;
  readonly provider: DemoProvider;
  readonly scheme: SchemeName;
  /** The address the provider sends from, as the trusted proxy in front of the nodes reports it (X-Forwarded-For). */
  readonly senderAddress: string;
  /** Share of the steady traffic. */
  readonly weight: number;
  /** How old the current secret is: the Inventory flags secrets older than 90 days. */
  readonly secretAgeDays: number;
  /** How far the sender's clock is off, in seconds: the Failures screen charts the skew per node. */
  readonly clockSkewSeconds: number;
  /** Environment variable the nodes read the current secret from: secret values stay out of the config files. */
  readonly secretEnv: string;
  readonly secret: string;
  /** A secret the sender was told to stop using (it expired yesterday): one misconfigured sender still uses it. */
  readonly retired?: { readonly env: string; readonly value: string };
  /** Sender addresses the integration accepts; anything else is refused with 403. */
  readonly allowIps?: readonly string[];
  event(): ProviderEvent;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const pick = <T>(items: readonly T[]): T => items[randomInt(items.length)] as T;
const now = () => Math.floor(Date.now() / 1000);

/**
 * The demo fleet's integrations: the senders operators meet most, each with payloads shaped like
 * the provider's (Stripe sends indented JSON, the others compact). Sender addresses come from the
 * documentation ranges (RFC 5737), never real providers' addresses.
 */
export function demoIntegrations(): DemoIntegration[] {
  return [
    {
      id: 'stripe-payments',
      secretAgeDays: 124,
      clockSkewSeconds: -1,
      provider: 'stripe',
      scheme: 'stripe',
      senderAddress: '198.51.100.10',
      allowIps: ['198.51.100.0/28'],
      weight: 4,
      secretEnv: 'DEMO_SECRET_STRIPE',
      secret: newSigningSecret('stripe'),
      event() {
        const id = `evt_${hex(12)}`;
        const type = pick(['payment_intent.succeeded', 'invoice.paid', 'charge.refunded', 'customer.subscription.updated']);
        const object = { id: `pi_${hex(12)}`, object: 'payment_intent', amount: randomInt(500, 250_000), currency: pick(['eur', 'usd', 'gbp']), status: 'succeeded' };
        return { id, headers: {}, body: JSON.stringify({ id, object: 'event', api_version: '2025-10-29', created: now(), type, livemode: false, data: { object } }, null, 2) };
      },
    },
    {
      id: 'github-repo',
      secretAgeDays: 47,
      clockSkewSeconds: 0,
      provider: 'github',
      scheme: 'github',
      senderAddress: '198.51.100.40',
      weight: 3,
      secretEnv: 'DEMO_SECRET_GITHUB',
      secret: newSigningSecret('github'),
      event() {
        const id = randomUUID();
        const event = pick(['push', 'pull_request', 'workflow_run']);
        const body = { action: event === 'push' ? undefined : 'completed', ref: 'refs/heads/main', after: hex(20), repository: { full_name: 'hookwarden/demo', private: true }, sender: { login: pick(['ada', 'grace', 'linus']) } };
        return { id, headers: { 'x-github-event': event, 'x-github-hook-id': '48151623', 'user-agent': 'GitHub-Hookshot/demo' }, body: JSON.stringify(body) };
      },
    },
    {
      id: 'shopify-orders',
      secretAgeDays: 1,
      clockSkewSeconds: 0,
      provider: 'shopify',
      scheme: 'shopify',
      senderAddress: '198.51.100.70',
      weight: 3,
      secretEnv: 'DEMO_SECRET_SHOPIFY',
      secret: newSigningSecret('shopify'),
      retired: { env: 'DEMO_SECRET_SHOPIFY_OLD', value: newSigningSecret('shopify') },
      event() {
        const id = randomUUID();
        const order = { id: randomInt(1e9, 9e9), name: `#${randomInt(1000, 9999)}`, total_price: (randomInt(500, 90_000) / 100).toFixed(2), currency: 'EUR', line_items: [{ sku: `SKU-${hex(3)}`, quantity: randomInt(1, 4) }] };
        return { id, headers: { 'x-shopify-topic': pick(['orders/create', 'orders/paid', 'orders/fulfilled']), 'x-shopify-shop-domain': 'hookwarden-demo.myshopify.com' }, body: JSON.stringify(order) };
      },
    },
    {
      id: 'slack-events',
      secretAgeDays: 63,
      clockSkewSeconds: 2,
      provider: 'slack',
      scheme: 'slack',
      senderAddress: '198.51.100.100',
      weight: 2,
      secretEnv: 'DEMO_SECRET_SLACK',
      secret: newSigningSecret('slack'),
      event() {
        const id = `Ev${hex(5).toUpperCase()}`;
        const event = { type: pick(['app_mention', 'message', 'reaction_added']), user: `U${hex(4).toUpperCase()}`, channel: 'C0DEMO', ts: `${now()}.000100` };
        return { id, headers: {}, body: JSON.stringify({ team_id: 'T0DEMO', type: 'event_callback', event_id: id, event_time: now(), event }) };
      },
    },
    {
      id: 'billing-events',
      secretAgeDays: 8,
      clockSkewSeconds: 1,
      provider: 'standard-webhooks',
      scheme: 'standard-webhooks',
      senderAddress: '198.51.100.130',
      weight: 2,
      secretEnv: 'DEMO_SECRET_BILLING',
      secret: newSigningSecret('standard-webhooks'),
      event() {
        const id = `msg_${hex(12)}`;
        const type = pick(['invoice.created', 'invoice.finalized', 'subscription.renewed']);
        return { id, headers: {}, body: JSON.stringify({ type, timestamp: new Date().toISOString(), data: { invoiceId: `in_${hex(8)}`, amountDue: randomInt(900, 99_000) } }) };
      },
    },
    {
      id: 'partner-notifications',
      secretAgeDays: 21,
      clockSkewSeconds: -3,
      provider: 'svix',
      scheme: 'standard-webhooks',
      senderAddress: '198.51.100.160',
      weight: 1,
      secretEnv: 'DEMO_SECRET_PARTNER',
      secret: newSigningSecret('standard-webhooks'),
      event() {
        const id = `msg_${hex(12)}`;
        return { id, headers: {}, body: JSON.stringify({ eventType: pick(['shipment.dispatched', 'shipment.delivered']), data: { trackingId: `TRK${hex(6).toUpperCase()}` } }) };
      },
    },
  ];
}
