import type { KeyObject } from 'node:crypto';
import { decodeHex, UNIX_SECONDS } from './encodings.js';
import { jsonStringField, matchHmac, utf8SecretKey } from './hmac-match.js';
import { headerValue, type SignatureScheme } from './scheme.js';

const SIGNATURE = /^v0=([0-9a-fA-F]{64})$/;

/**
 * Slack: `X-Slack-Signature: v0=<hex HMAC-SHA256(secret, "v0:{timestamp}:{body}")>`. The window is
 * checked in both directions by the pipeline (Bolt checks only the past). Events API bodies carry
 * `event_id`; slash commands (form bodies) carry no id, so only the signature cache stops replays.
 */
export function slackScheme(): SignatureScheme<KeyObject> {
  return {
    signsTimestamp: true,
    prepareKey: (secret) => utf8SecretKey(secret, 'slack'),
    verify(request, keys) {
      const header = headerValue(request.headers, 'x-slack-signature');
      const timestamp = headerValue(request.headers, 'x-slack-request-timestamp');
      if (!header || !timestamp) return { ok: false, reason: 'signature_missing', detail: 'X-Slack-Signature and X-Slack-Request-Timestamp are both required' };
      const hex = SIGNATURE.exec(header)?.[1];
      const presented = hex === undefined ? undefined : decodeHex(hex);
      if (!presented) return { ok: false, reason: 'signature_malformed', detail: 'X-Slack-Signature is not v0=<64 hex digits>' };
      if (!UNIX_SECONDS.test(timestamp)) return { ok: false, reason: 'signature_malformed', detail: 'X-Slack-Request-Timestamp is not unix seconds' };
      const match = matchHmac('sha256', keys, [`v0:${timestamp}:`, request.body], [presented]);
      if (!match) return { ok: false, reason: 'signature_invalid', detail: 'no secret of this integration produces the signature' };
      return { ok: true, secretId: match.secretId, signature: hex!.toLowerCase(), signedAt: Number(timestamp) };
    },
    deliveryId: (request) => jsonStringField(request.body, 'event_id'),
  };
}
