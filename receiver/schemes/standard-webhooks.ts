import { createHmac, createPublicKey, createSecretKey, verify as verifySignature, type KeyObject } from 'node:crypto';
import { bytesEqual } from './constant-time.js';
import { decodeBase64, MAX_SIGNATURE_HEADER, UNIX_SECONDS } from './encodings.js';
import { headerValue, type InboundRequest, type SignatureCheck, type SignatureScheme, type VerificationKey } from './scheme.js';

export type StandardWebhooksKey = { readonly kind: 'hmac'; readonly key: KeyObject } | { readonly kind: 'ed25519'; readonly key: KeyObject };

const MIN_SECRET_BYTES = 16;
const HMAC_BYTES = 32;
const ED25519_SIGNATURE_BYTES = 64;

/**
 * Standard Webhooks, and Svix (the same construction under `svix-*` headers): `{id}.{timestamp}.{body}`
 * signed with HMAC-SHA256 (`v1`, key = base64 after `whsec_`) or Ed25519 (`v1a`, verified with a
 * `whpk_` public key). The signature header is a space-separated list; unknown versions are skipped
 * and any matching entry verifies, which is how senders rotate secrets.
 */
export function standardWebhooksScheme(): SignatureScheme<StandardWebhooksKey> {
  return {
    signsTimestamp: true,
    prepareKey,
    verify,
    deliveryId: (request) => headers(request).id,
  };
}

function prepareKey(secret: string): StandardWebhooksKey {
  if (secret.startsWith('whsk_')) throw new Error('standard-webhooks whsk_ is the sender\'s signing key; configure its whpk_ public key');
  if (secret.startsWith('whpk_')) {
    const raw = decodeBase64(secret.slice(5));
    if (raw?.length !== 32) throw new Error('standard-webhooks whpk_ key must be the base64 of a 32-byte Ed25519 public key');
    return { kind: 'ed25519', key: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' }) };
  }
  const raw = decodeBase64(secret.startsWith('whsec_') ? secret.slice(6) : secret);
  if (!raw || raw.length < MIN_SECRET_BYTES) throw new Error(`standard-webhooks secret must be whsec_ followed by base64 of at least ${MIN_SECRET_BYTES} bytes, or a whpk_ public key`);
  return { kind: 'hmac', key: createSecretKey(raw) };
}

/** The `webhook-*` set, or Svix's `svix-*` set when the first is absent; an empty header counts as absent. */
function headers(request: InboundRequest): { id: string | undefined; timestamp: string | undefined; signature: string | undefined } {
  const h = request.headers;
  const svix = h['webhook-signature'] === undefined && h['webhook-id'] === undefined;
  return {
    id: headerValue(h, svix ? 'svix-id' : 'webhook-id') || undefined,
    timestamp: headerValue(h, svix ? 'svix-timestamp' : 'webhook-timestamp') || undefined,
    signature: headerValue(h, svix ? 'svix-signature' : 'webhook-signature') || undefined,
  };
}

function verify(request: InboundRequest, keys: readonly VerificationKey<StandardWebhooksKey>[]): SignatureCheck {
  const { id, timestamp, signature } = headers(request);
  if (!id || !timestamp || !signature) {
    return { ok: false, reason: 'signature_missing', detail: 'webhook-id, webhook-timestamp and webhook-signature (or svix-*) are all required' };
  }
  if (signature.length > MAX_SIGNATURE_HEADER) return { ok: false, reason: 'signature_malformed', detail: 'the signature header is too long' };
  if (!UNIX_SECONDS.test(timestamp)) return { ok: false, reason: 'signature_malformed', detail: 'the timestamp is not unix seconds' };
  // The spec forbids full stops in the id and timestamp: they would make the signed content ambiguous.
  if (id.includes('.') || id.length > 256) return { ok: false, reason: 'signature_malformed', detail: 'the message id contains "." or is too long' };

  const symmetric: { bytes: Buffer }[] = [];
  const asymmetric: { bytes: Buffer }[] = [];
  for (const entry of signature.split(' ')) {
    if (entry === '') continue;
    const comma = entry.indexOf(',');
    if (comma < 1 || comma === entry.length - 1) return { ok: false, reason: 'signature_malformed', detail: 'a signature entry is not <version>,<base64>' };
    const version = entry.slice(0, comma);
    if (version !== 'v1' && version !== 'v1a') continue;
    const text = entry.slice(comma + 1);
    const bytes = decodeBase64(text);
    if (!bytes) return { ok: false, reason: 'signature_malformed', detail: `a ${version} signature is not base64` };
    (version === 'v1' ? symmetric : asymmetric).push({ bytes });
  }
  if (symmetric.length === 0 && asymmetric.length === 0) {
    return { ok: false, reason: 'signature_invalid', detail: 'no v1 or v1a signature in the header' };
  }

  const prefix = `${id}.${timestamp}.`;
  let signed: Buffer | undefined;
  for (const { secretId, key } of keys) {
    if (key.kind === 'hmac') {
      const digest = createHmac('sha256', key.key).update(prefix).update(request.body).digest();
      const match = symmetric.find((candidate) => candidate.bytes.length === HMAC_BYTES && bytesEqual(digest, candidate.bytes));
      if (match) return { ok: true, secretId, signature: match.bytes.toString('base64'), signedAt: Number(timestamp) };
    } else {
      signed ??= Buffer.concat([Buffer.from(prefix), request.body]);
      const content = signed;
      const match = asymmetric.find(
        (candidate) => candidate.bytes.length === ED25519_SIGNATURE_BYTES && verifySignature(null, content, key.key, candidate.bytes),
      );
      if (match) return { ok: true, secretId, signature: match.bytes.toString('base64'), signedAt: Number(timestamp) };
    }
  }
  return { ok: false, reason: 'signature_invalid', detail: 'no secret of this integration produces any of the signatures' };
}
