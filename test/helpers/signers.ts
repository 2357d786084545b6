/**
 * Senders for every scheme: the providers' own npm libraries where one exists, the documented
 * algorithm (with node:crypto) where the provider publishes no signer. Secrets are made at run time.
 */
import { sign as signGithub } from '@octokit/webhooks-methods';
import { createHmac, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { FlattenedSign, exportJWK } from 'jose';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { Webhook as SvixWebhook } from 'svix';
import twilio from 'twilio';
import { LOCAL_HMAC_OPTIONS } from '../../electron/main/services/local-receiver/sign-delivery.js';
import type { SchemeName } from '../../shared/model/schemes.js';

export type TestScheme = Exclude<SchemeName, 'jws'> | 'svix';

export interface Delivery {
  readonly headers: Record<string, string>;
  readonly body: string;
  /** Query string with its `?`, for schemes that sign the URL. */
  readonly query?: string;
}

export interface SignInput {
  readonly secret: string;
  readonly body: string;
  readonly timestamp?: number;
  readonly id?: string;
  /** Twilio signs the URL it called. */
  readonly publicUrl?: string;
}

/** A fresh secret in the format the scheme's senders hand out. */
export function newSecret(scheme: TestScheme): string {
  switch (scheme) {
    case 'standard-webhooks':
    case 'svix':
      return `whsec_${randomBytes(32).toString('base64')}`;
    case 'stripe':
      return `whsec_${randomBytes(24).toString('hex')}`;
    default:
      return randomBytes(20).toString('hex');
  }
}

/** The hmac scheme's options that `sign('hmac', …)` produces signatures for: the console's local-hmac integration's. */
export const TEST_HMAC_OPTIONS = LOCAL_HMAC_OPTIONS;

export async function sign(scheme: TestScheme, input: SignInput): Promise<Delivery> {
  const timestamp = input.timestamp ?? Math.floor(Date.now() / 1000);
  const id = input.id ?? `msg_${randomBytes(8).toString('hex')}`;
  const { secret, body } = input;
  switch (scheme) {
    case 'standard-webhooks':
      return {
        body,
        headers: {
          'webhook-id': id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': new StandardWebhook(secret).sign(id, new Date(timestamp * 1000), body),
        },
      };
    case 'svix':
      return {
        body,
        headers: {
          'svix-id': id,
          'svix-timestamp': String(timestamp),
          'svix-signature': new SvixWebhook(secret).sign(id, new Date(timestamp * 1000), body),
        },
      };
    case 'stripe':
      return { body, headers: { 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp }) } };
    case 'github':
      return { body, headers: { 'x-hub-signature-256': await signGithub(secret, body), 'x-github-delivery': id } };
    case 'slack':
      return {
        body,
        headers: {
          'x-slack-request-timestamp': String(timestamp),
          'x-slack-signature': `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`,
        },
      };
    case 'shopify':
      return {
        body,
        headers: { 'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64'), 'x-shopify-webhook-id': id },
      };
    case 'twilio': {
      const params = Object.fromEntries(new URLSearchParams(body));
      const url = input.publicUrl ?? 'https://example.test/hooks/twilio';
      return {
        body,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': twilio.getExpectedTwilioSignature(secret, url, params),
          'i-twilio-idempotency-token': id,
        },
      };
    }
    case 'hmac':
      return {
        body,
        headers: {
          'x-timestamp': String(timestamp),
          'x-event-id': id,
          'x-signature': `sha256=${createHmac('sha256', secret).update(`${id}.${timestamp}.${body}`).digest('hex')}`,
        },
      };
  }
}

/** A body each scheme's senders would send, with an id where the scheme dedupes on one in the body. */
export function sampleBody(scheme: TestScheme): string {
  if (scheme === 'twilio') return `MessageSid=SM${randomBytes(8).toString('hex')}&From=%2B14158675309&Body=hello`;
  return JSON.stringify({ id: `evt_${randomBytes(8).toString('hex')}`, event_id: `Ev${randomBytes(6).toString('hex')}`, type: 'test.event', data: { amount: 1200 } });
}

export interface JwsSigner {
  readonly jwks: { keys: object[] };
  sign(body: string, options?: { kid?: string; iat?: number }): Promise<string>;
}

/** An ES256 detached-JWS sender with its JWKS, as an IoT gateway would publish it. */
export async function jwsSigner(kid = 'k1'): Promise<JwsSigner> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' }) as { privateKey: KeyObject; publicKey: KeyObject };
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  return {
    jwks: { keys: [jwk] },
    async sign(body, options = {}) {
      const header: Record<string, unknown> = { alg: 'ES256', kid: options.kid ?? kid };
      if (options.iat !== undefined) header.iat = options.iat;
      const jws = await new FlattenedSign(new TextEncoder().encode(body)).setProtectedHeader(header as { alg: string }).sign(privateKey);
      return `${jws.protected}..${jws.signature}`;
    },
  };
}
