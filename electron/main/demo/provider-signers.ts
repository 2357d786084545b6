import { sign as signGithub } from '@octokit/webhooks-methods';
import { createHmac } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { Webhook as SvixWebhook } from 'svix';

/** The senders the demo imitates; `svix` is a Standard Webhooks integration fed through Svix's headers. */
export type DemoProvider = 'stripe' | 'github' | 'shopify' | 'slack' | 'standard-webhooks' | 'svix';

export interface SignInput {
  readonly secret: string;
  readonly body: string;
  /** Unix seconds, as the sender's (possibly wrong) clock reads it. */
  readonly timestamp: number;
  readonly id: string;
}

/**
 * Signature headers made the way each provider makes them: with the provider's own npm library
 * where one exists (Stripe, Standard Webhooks, Svix, GitHub's @octokit), and node:crypto for Slack
 * and Shopify, which publish the algorithm but no signer.
 */
export async function signAs(provider: DemoProvider, input: SignInput): Promise<Record<string, string>> {
  const { secret, body, timestamp, id } = input;
  switch (provider) {
    case 'stripe':
      return { 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp }) };
    case 'github':
      return { 'x-hub-signature-256': await signGithub(secret, body), 'x-github-delivery': id };
    case 'shopify':
      return { 'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64'), 'x-shopify-webhook-id': id, 'x-shopify-event-id': id };
    case 'slack':
      return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}` };
    case 'standard-webhooks':
      return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': new StandardWebhook(secret).sign(id, new Date(timestamp * 1000), body) };
    case 'svix':
      return { 'svix-id': id, 'svix-timestamp': String(timestamp), 'svix-signature': new SvixWebhook(secret).sign(id, new Date(timestamp * 1000), body) };
  }
}
