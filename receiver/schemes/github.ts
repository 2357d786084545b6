import type { KeyObject } from 'node:crypto';
import { decodeHex, MAX_SIGNATURE_HEADER } from './encodings.js';
import { matchHmac, utf8SecretKey } from './hmac-match.js';
import { headerValue, type SignatureScheme } from './scheme.js';

const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;

/**
 * GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>`. No timestamp is signed,
 * so replays are stopped only by `X-GitHub-Delivery` and the signature cache. The legacy sha1
 * header alone is refused: GitHub says not to rely on it.
 */
export function githubScheme(): SignatureScheme<KeyObject> {
  return {
    signsTimestamp: false,
    prepareKey: (secret) => utf8SecretKey(secret, 'github'),
    verify(request, keys) {
      const header = headerValue(request.headers, 'x-hub-signature-256');
      if (!header) {
        const legacy = headerValue(request.headers, 'x-hub-signature');
        return { ok: false, reason: 'signature_missing', detail: legacy ? 'only the legacy sha1 X-Hub-Signature was sent' : 'no X-Hub-Signature-256 header' };
      }
      const hex = header.length <= MAX_SIGNATURE_HEADER ? SIGNATURE.exec(header)?.[1] : undefined;
      const presented = hex === undefined ? undefined : decodeHex(hex);
      if (!presented) return { ok: false, reason: 'signature_malformed', detail: 'X-Hub-Signature-256 is not sha256=<64 hex digits>' };
      const match = matchHmac('sha256', keys, [request.body], [presented]);
      if (!match) return { ok: false, reason: 'signature_invalid', detail: 'no secret of this integration produces the signature' };
      return { ok: true, secretId: match.secretId, signature: hex!.toLowerCase() };
    },
    deliveryId: (request) => headerValue(request.headers, 'x-github-delivery') || undefined,
  };
}
