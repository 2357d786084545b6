import type { DemoIntegration } from './demo-integrations.js';
import { signedRequest, type WireRequest } from './sender.js';

/** What an incident may use: the nodes, the integrations, and the simulator's pacing. */
export interface IncidentContext {
  readonly ingressUrls: readonly string[];
  readonly integration: (id: string) => DemoIntegration;
  /** The last delivery a node accepted for the integration, as it went on the wire. */
  readonly lastAccepted: (id: string) => WireRequest | undefined;
  /** Sends `count` requests made by `make`, one every `spacingMs`, until done or the demo stops. */
  readonly burst: (count: number, spacingMs: number, make: (index: number) => Promise<WireRequest>) => Promise<void>;
}

export interface Incident {
  readonly name: string;
  /** What the operator should look for, printed when the incident starts. */
  readonly symptom: string;
  run(context: IncidentContext): Promise<void>;
}

const node = (context: IncidentContext, index: number) => context.ingressUrls[index % context.ingressUrls.length] as string;

/**
 * The incidents operators meet most, each with the signature the console should make obvious.
 * Addresses are from the documentation ranges (RFC 5737).
 */
export const INCIDENTS: readonly Incident[] = [
  {
    name: 'replay burst',
    symptom: 'github-repo: one captured delivery sent 30 times from 203.0.113.66 → 200 duplicate (Live, Failures: replay cache)',
    async run(context) {
      const github = context.integration('github-repo');
      const captured = context.lastAccepted(github.id) ?? (await signedRequest(node(context, 0), github, github.event()));
      await context.burst(30, 100, () => Promise.resolve({ ...captured, headers: { ...captured.headers, 'x-forwarded-for': '203.0.113.66' } }));
    },
  },
  {
    name: 'skewed clock',
    symptom: 'billing-events: a sender whose clock is 11 minutes behind → 401 timestamp_stale (Failures: by reason, clock skew)',
    async run(context) {
      const billing = context.integration('billing-events');
      await context.burst(25, 150, (index) => signedRequest(node(context, index), billing, billing.event(), { from: '203.0.113.24', clockOffsetSeconds: -660 }));
    },
  },
  {
    name: 'retired secret',
    symptom: 'shopify-orders: one shop still signs with the secret retired yesterday → 401 signature_retired_secret (Inventory, Integration)',
    async run(context) {
      const shopify = context.integration('shopify-orders');
      const retired = shopify.retired?.value ?? shopify.secret;
      await context.burst(15, 250, (index) => signedRequest(node(context, index), shopify, shopify.event(), { secret: retired }));
    },
  },
  {
    name: 're-serialising proxy',
    symptom: 'stripe-payments: a proxy parses and re-serialises the JSON on the way → 401 signature_invalid, diagnosed body_reserialized_json',
    async run(context) {
      const stripe = context.integration('stripe-payments');
      const compact = (body: string) => JSON.stringify(JSON.parse(body));
      // Paced under the receiver's diagnosis budget (5 a second per integration), so each one is named.
      await context.burst(15, 300, (index) => signedRequest(node(context, index), stripe, stripe.event(), { alterBody: compact }));
    },
  },
];
