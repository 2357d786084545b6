import type { KeyObject } from 'node:crypto';
import { decodeHex, MAX_SIGNATURE_HEADER, UNIX_SECONDS } from './encodings.js';
import { jsonStringField, matchHmac, utf8SecretKey } from './hmac-match.js';
import { headerValue, type SignatureScheme } from './scheme.js';

const V1 = /^[0-9a-fA-F]{64}$/;
const API_KEY = /^(sk|pk|rk)_(live|test)_/;

/**
 * Stripe: `Stripe-Signature: t=<ts>,v1=<hex>[,v1=<hex>…]`, HMAC-SHA256 over `{t}.{body}` keyed with the
 * whole `whsec_…` string (not base64-decoded, unlike Svix). While a secret is rolled Stripe sends one
 * `v1` per secret; other schemes (`v0`) are ignored. The event id is in the body, not a header.
 */
export function stripeScheme(): SignatureScheme<KeyObject> {
  return {
    signsTimestamp: true,
    prepareKey(secret) {
      // Pasting an API key where the endpoint secret belongs is among the commonest Stripe mistakes.
      if (API_KEY.test(secret)) throw new Error('stripe secret is an API key (sk_/pk_/rk_); use the endpoint signing secret (whsec_…)');
      if (!secret.startsWith('whsec_')) throw new Error('stripe secret must be the endpoint signing secret, starting with whsec_');
      return utf8SecretKey(secret, 'stripe');
    },
    verify(request, keys) {
      const header = headerValue(request.headers, 'stripe-signature');
      if (!header) return { ok: false, reason: 'signature_missing', detail: 'no Stripe-Signature header' };
      if (header.length > MAX_SIGNATURE_HEADER) return { ok: false, reason: 'signature_malformed', detail: 'Stripe-Signature is too long' };
      let timestamp: string | undefined;
      const candidates: string[] = [];
      for (const element of header.split(',')) {
        const equals = element.indexOf('=');
        if (equals < 1) return { ok: false, reason: 'signature_malformed', detail: 'Stripe-Signature is not a list of key=value pairs' };
        const key = element.slice(0, equals).trim();
        const value = element.slice(equals + 1).trim();
        if (key === 't') timestamp = value;
        else if (key === 'v1') candidates.push(value);
      }
      if (timestamp === undefined || !UNIX_SECONDS.test(timestamp)) {
        return { ok: false, reason: 'signature_malformed', detail: 'Stripe-Signature has no valid t= timestamp' };
      }
      if (candidates.length === 0) return { ok: false, reason: 'signature_malformed', detail: 'Stripe-Signature has no v1 signature' };
      // A v1 that is not 64 hex digits cannot match; it is skipped rather than failing the others.
      const wellFormed = candidates.filter((candidate) => V1.test(candidate));
      const presented = wellFormed.map((candidate) => decodeHex(candidate) as Buffer);
      const match = matchHmac('sha256', keys, [`${timestamp}.`, request.body], presented);
      if (!match) return { ok: false, reason: 'signature_invalid', detail: 'no secret of this integration produces any v1 signature' };
      return { ok: true, secretId: match.secretId, signature: (wellFormed[match.index] as string).toLowerCase(), signedAt: Number(timestamp) };
    },
    deliveryId: (request) => jsonStringField(request.body, 'id'),
  };
}
