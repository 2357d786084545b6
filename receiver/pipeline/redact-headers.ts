import type { IncomingHttpHeaders } from 'node:http';

const REDACTED = '[redacted]';
const CREDENTIALS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key']);
/** Signature headers of every scheme contain one of these words (webhook-signature, x-shopify-hmac-sha256, x-jws-signature…). */
function namesSignature(name: string): boolean {
  return name.includes('signature') || name.includes('hmac');
}

export interface FlatHeaders {
  /** For the delivery log, the live stream and the admin API: no credentials, no signatures. */
  readonly log: Record<string, string>;
  /** For the capture kept for replay: signatures stay (replay "as captured" needs them), credentials go. */
  readonly capture: Record<string, string>;
}

/** Both flat views of the request's headers, in one pass. */
export function flattenHeaders(headers: IncomingHttpHeaders, extraSignatureHeaders: ReadonlySet<string>): FlatHeaders {
  const log: Record<string, string> = {};
  const capture: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    if (CREDENTIALS.has(name)) {
      log[name] = REDACTED;
      capture[name] = REDACTED;
      continue;
    }
    const text = Array.isArray(value) ? value.join(', ') : value;
    capture[name] = text;
    log[name] = namesSignature(name) || extraSignatureHeaders.has(name) ? REDACTED : text;
  }
  return { log, capture };
}
