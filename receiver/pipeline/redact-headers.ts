import type { IncomingHttpHeaders } from 'node:http';

const REDACTED = '[redacted]';
const CREDENTIALS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key']);
/** Signature headers of every scheme contain one of these words (webhook-signature, x-shopify-hmac-sha256, x-jws-signature…). */
const SIGNATURE_WORDS = ['signature', 'hmac'];

function flatten(headers: IncomingHttpHeaders, redact: (name: string) => boolean): Record<string, string> {
  const result: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    result[name] = redact(name) ? REDACTED : Array.isArray(value) ? value.join(', ') : value;
  }
  return result;
}

/** For the delivery log, the live stream and the admin API: no credentials, no signatures. */
export function headersForLog(headers: IncomingHttpHeaders, extraSignatureHeaders: ReadonlySet<string>): Record<string, string> {
  return flatten(
    headers,
    (name) => CREDENTIALS.has(name) || extraSignatureHeaders.has(name) || SIGNATURE_WORDS.some((word) => name.includes(word)),
  );
}

/** For the capture kept for replay: signatures stay (replay "as captured" needs them), credentials go. */
export function headersForCapture(headers: IncomingHttpHeaders): Record<string, string> {
  return flatten(headers, (name) => CREDENTIALS.has(name));
}
