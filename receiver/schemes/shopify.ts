import type { KeyObject } from 'node:crypto';
import { decodeBase64 } from './encodings.js';
import { matchHmac, utf8SecretKey } from './hmac-match.js';
import { headerValue, type SignatureScheme } from './scheme.js';

const SIGNATURE = /^[A-Za-z0-9+/]{43}=$/;

/**
 * Shopify: `X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256(client secret, body)>`. Nothing time-related
 * is signed, so a captured delivery stays valid for ever: only id dedupe stops its replay. The
 * event id names one event across duplicate webhooks; the webhook id is the fallback.
 */
export function shopifyScheme(): SignatureScheme<KeyObject> {
  return {
    signsTimestamp: false,
    prepareKey: (secret) => utf8SecretKey(secret, 'shopify'),
    verify(request, keys) {
      const header = headerValue(request.headers, 'x-shopify-hmac-sha256');
      if (!header) return { ok: false, reason: 'signature_missing', detail: 'no X-Shopify-Hmac-Sha256 header' };
      const presented = SIGNATURE.test(header) ? decodeBase64(header) : undefined;
      if (!presented) return { ok: false, reason: 'signature_malformed', detail: 'X-Shopify-Hmac-Sha256 is not the base64 of a SHA-256 MAC' };
      const match = matchHmac('sha256', keys, [request.body], [presented]);
      if (!match) return { ok: false, reason: 'signature_invalid', detail: 'no secret of this integration produces the signature' };
      return { ok: true, secretId: match.secretId, signature: presented.toString('base64') };
    },
    deliveryId: (request) => headerValue(request.headers, 'x-shopify-event-id') || headerValue(request.headers, 'x-shopify-webhook-id') || undefined,
  };
}
