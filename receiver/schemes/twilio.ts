import { createHash, type KeyObject } from 'node:crypto';
import { bytesEqual } from './constant-time.js';
import { decodeBase64, decodeHex } from './encodings.js';
import { matchHmac, utf8SecretKey } from './hmac-match.js';
import { headerValue, type InboundRequest, type SignatureScheme } from './scheme.js';

const SIGNATURE = /^[A-Za-z0-9+/]{27}=$/;

/**
 * Twilio: `X-Twilio-Signature: <base64 HMAC-SHA1(auth token, data)>` where data is the URL Twilio
 * called (`publicUrl` + the query as received: behind a proxy the internal URL differs) followed,
 * for form posts, by every parameter sorted by name as name+value (repeated names: de-duplicated
 * values, sorted). JSON posts sign the URL alone and carry `bodySHA256=<hex>` in its query, which
 * must match the body. Like twilio-node, the URL is tried with and without the default port,
 * because Twilio's own signing is inconsistent about it.
 */
export function twilioScheme(options: { publicUrl: string }): SignatureScheme<KeyObject> {
  const base = new URL(options.publicUrl);
  const publicUrl = `${base.origin}${base.pathname}`;
  const defaultPort = base.protocol === 'https:' ? '443' : '80';
  const withPort = `${base.protocol}//${base.hostname}:${base.port || defaultPort}${base.pathname}`;
  const withoutPort = base.port === '' || base.port === defaultPort ? `${base.protocol}//${base.hostname}${base.pathname}` : publicUrl;
  const urlVariants = [...new Set([publicUrl, withPort, withoutPort])];

  return {
    signsTimestamp: false,
    prepareKey: (secret) => utf8SecretKey(secret, 'twilio'),
    verify(request, keys) {
      const header = headerValue(request.headers, 'x-twilio-signature');
      if (!header) return { ok: false, reason: 'signature_missing', detail: 'no X-Twilio-Signature header' };
      const presented = SIGNATURE.test(header) ? decodeBase64(header) : undefined;
      if (!presented) return { ok: false, reason: 'signature_malformed', detail: 'X-Twilio-Signature is not the base64 of a SHA-1 MAC' };

      const bodyHash = new URLSearchParams(request.query).get('bodySHA256');
      const isForm = (headerValue(request.headers, 'content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
      let params = '';
      if (bodyHash !== null) {
        const expected = decodeHex(bodyHash);
        if (!expected || !bytesEqual(expected, createHash('sha256').update(request.body).digest())) {
          return { ok: false, reason: 'signature_invalid', detail: 'the body does not match bodySHA256 in the URL' };
        }
      } else if (isForm) {
        params = sortedParameters(request);
      }
      for (const url of urlVariants) {
        const match = matchHmac('sha1', keys, [`${url}${request.query}`, params], [presented]);
        if (match) return { ok: true, secretId: match.secretId, signature: presented.toString('base64') };
      }
      return { ok: false, reason: 'signature_invalid', detail: 'no secret of this integration produces the signature for the configured publicUrl' };
    },
    deliveryId: (request) => headerValue(request.headers, 'i-twilio-idempotency-token') || undefined,
  };
}

function sortedParameters(request: InboundRequest): string {
  const values = new Map<string, Set<string>>();
  for (const [name, value] of new URLSearchParams(request.body.toString('utf8'))) {
    let set = values.get(name);
    if (!set) values.set(name, (set = new Set()));
    set.add(value);
  }
  let data = '';
  for (const name of [...values.keys()].sort()) {
    for (const value of [...(values.get(name) as Set<string>)].sort()) data += name + value;
  }
  return data;
}
