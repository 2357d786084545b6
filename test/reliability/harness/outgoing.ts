import { newSecret, sampleBody, sign } from '../../helpers/signers.js';
import type { Outgoing } from './retrying-sender.js';

/** A Stripe integration as every fault row uses it: Stripe retries for days, so a refusal loses nothing. */
export function stripeIntegration(id: string, secret: string): Record<string, unknown> {
  return { id, scheme: 'stripe', secrets: [{ id: 's1', value: secret }] };
}

export const newStripeSecret = (): string => newSecret('stripe');

/** Signed Stripe events; the receiver dedupes on (and reports) the event's `id`. */
export async function stripeDeliveries(secret: string, count: number): Promise<Outgoing[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const body = sampleBody('stripe');
      return { id: (JSON.parse(body) as { id: string }).id, delivery: await sign('stripe', { secret, body }) };
    }),
  );
}
