import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { TEST_SCHEMES } from '../../../../shared/contract/console.js';

export type TestScheme = (typeof TEST_SCHEMES)[number];

export interface SignedRequest {
  readonly headers: Record<string, string>;
  readonly body: string | Buffer;
  /** With its leading `?`; Twilio signs the URL. */
  readonly query: string;
}

export interface SignOptions {
  readonly secret: string;
  readonly body: string;
  /** Unix seconds. */
  readonly timestamp: number;
  readonly id: string;
  /** The URL a Twilio-style sender signs. */
  readonly url: string;
}

/** The generic-hmac options the local receiver's `local-hmac` integration is configured with. */
export const LOCAL_HMAC_OPTIONS = {
  header: 'x-signature',
  prefix: 'sha256=',
  algorithm: 'sha256',
  encoding: 'hex',
  signedContent: '{id}.{timestamp}.{body}',
  timestampHeader: 'x-timestamp',
  idHeader: 'x-event-id',
} as const;

const hmac = (algorithm: string, key: string | Buffer, data: string) => createHmac(algorithm, key).update(data);

/**
 * Signs a delivery the way each provider does, so the local receiver can be tried without the
 * provider (the receiver's tests check these formats against the providers' own libraries).
 */
export function signDelivery(scheme: TestScheme, options: SignOptions): SignedRequest {
  const { secret, body, timestamp, id } = options;
  switch (scheme) {
    case 'standard-webhooks':
    case 'svix': {
      const prefix = scheme === 'svix' ? 'svix' : 'webhook';
      const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
      const signature = hmac('sha256', key, `${id}.${timestamp}.${body}`).digest('base64');
      return { body, query: '', headers: { [`${prefix}-id`]: id, [`${prefix}-timestamp`]: String(timestamp), [`${prefix}-signature`]: `v1,${signature}` } };
    }
    case 'stripe':
      return { body, query: '', headers: { 'stripe-signature': `t=${timestamp},v1=${hmac('sha256', secret, `${timestamp}.${body}`).digest('hex')}` } };
    case 'github':
      return { body, query: '', headers: { 'x-hub-signature-256': `sha256=${hmac('sha256', secret, body).digest('hex')}`, 'x-github-delivery': id } };
    case 'slack':
      return {
        body,
        query: '',
        headers: { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': `v0=${hmac('sha256', secret, `v0:${timestamp}:${body}`).digest('hex')}` },
      };
    case 'shopify':
      return { body, query: '', headers: { 'x-shopify-hmac-sha256': hmac('sha256', secret, body).digest('base64'), 'x-shopify-webhook-id': id } };
    case 'twilio': {
      // JSON bodies: Twilio puts the body's hash in the query and signs the URL alone.
      const query = `?bodySHA256=${createHash('sha256').update(body).digest('hex')}`;
      return {
        body,
        query,
        headers: { 'x-twilio-signature': hmac('sha1', secret, `${options.url}${query}`).digest('base64'), 'i-twilio-idempotency-token': id },
      };
    }
    case 'hmac':
      return {
        body,
        query: '',
        headers: {
          'x-timestamp': String(timestamp),
          'x-event-id': id,
          'x-signature': `sha256=${hmac('sha256', secret, `${id}.${timestamp}.${body}`).digest('hex')}`,
        },
      };
  }
}

/** A sample event in each provider's shape, with a fresh event id where the provider dedupes on one in the body. */
export function sampleEvent(scheme: TestScheme, id: string): string {
  const common = { type: 'hookwarden.test', created: Math.floor(Date.now() / 1000), data: { message: 'a test delivery from the Hookwarden console' } };
  if (scheme === 'stripe') return JSON.stringify({ id: `evt_${id}`, object: 'event', ...common });
  if (scheme === 'slack') return JSON.stringify({ event_id: `Ev${id}`, ...common });
  return JSON.stringify({ id, ...common });
}

export function newMessageId(): string {
  return `msg_${randomBytes(12).toString('hex')}`;
}
