import type { IncomingHttpHeaders } from 'node:http';

const REDACTED = '[redacted]';
const REDACTED_JSON = JSON.stringify(REDACTED);
const CREDENTIALS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key']);
/** Signature headers of every scheme contain one of these words (webhook-signature, x-shopify-hmac-sha256, x-jws-signature…). */
function namesSignature(name: string): boolean {
  return name.includes('signature') || name.includes('hmac');
}

/**
 * Header names as JSON strings, remembered: senders use the same few names on every request, and
 * JSON.stringify of a name cost more than the rest of the pass. Bounded, so that random names
 * (a client can send any) are quoted each time rather than kept.
 */
const QUOTED_NAMES = new Map<string, string>();
const MAX_QUOTED_NAMES = 1_000;

function quotedName(name: string): string {
  let quoted = QUOTED_NAMES.get(name);
  if (quoted === undefined) {
    quoted = JSON.stringify(name);
    if (QUOTED_NAMES.size < MAX_QUOTED_NAMES) QUOTED_NAMES.set(name, quoted);
  }
  return quoted;
}

export interface FlatHeaders {
  /** For the delivery log, the live stream and the admin API: no credentials, no signatures. */
  readonly log: Record<string, string>;
  /** For the capture kept for replay: signatures stay (replay "as captured" needs them), credentials go. */
  readonly capture: Record<string, string>;
  /** `log` and `capture` as JSON text, as JSON.stringify writes them, built in the same pass: each value is escaped once for both. */
  readonly logJson: string;
  readonly captureJson: string;
}

/** Both flat views of the request's headers, and their JSON text, in one pass. */
export function flattenHeaders(headers: IncomingHttpHeaders, extraSignatureHeaders: ReadonlySet<string>): FlatHeaders {
  const log: Record<string, string> = {};
  const capture: Record<string, string> = {};
  let logJson = '';
  let captureJson = '';
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    const key = `${logJson === '' ? '{' : ','}${quotedName(name)}:`;
    if (CREDENTIALS.has(name)) {
      log[name] = REDACTED;
      capture[name] = REDACTED;
      logJson += key + REDACTED_JSON;
      captureJson += key + REDACTED_JSON;
      continue;
    }
    const text = Array.isArray(value) ? value.join(', ') : value;
    const quoted = JSON.stringify(text);
    capture[name] = text;
    captureJson += key + quoted;
    if (namesSignature(name) || extraSignatureHeaders.has(name)) {
      log[name] = REDACTED;
      logJson += key + REDACTED_JSON;
    } else {
      log[name] = text;
      logJson += key + quoted;
    }
  }
  return { log, capture, logJson: logJson === '' ? '{}' : `${logJson}}`, captureJson: captureJson === '' ? '{}' : `${captureJson}}` };
}
