import type { IncomingHttpHeaders } from 'node:http';

const REDACTED = '[redacted]';
const REDACTED_JSON = JSON.stringify(REDACTED);
const CREDENTIALS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key']);
/** Signature headers of every scheme contain one of these words (webhook-signature, x-shopify-hmac-sha256, x-jws-signature…). */
function namesSignature(name: string): boolean {
  return name.includes('signature') || name.includes('hmac');
}

/** What JSON.stringify would escape in a string: quote, backslash, control characters and (lone) surrogates. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** `text` as a JSON string: most header values need no escape, and quoting them is far cheaper than JSON.stringify. */
function quoted(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/** A header name as the pass uses it: its JSON text followed by the colon, and what it says about the value. */
interface HeaderName {
  readonly jsonKey: string;
  readonly credential: boolean;
  readonly signature: boolean;
}

/**
 * Header names, remembered: senders use the same few names on every request, and quoting a name and
 * classifying it cost more than the rest of the pass. Bounded, so that random names (a client can send
 * any) are worked out each time rather than kept.
 */
const NAMES = new Map<string, HeaderName>();
const MAX_NAMES = 1_000;

function headerName(name: string): HeaderName {
  let known = NAMES.get(name);
  if (known === undefined) {
    known = { jsonKey: `${JSON.stringify(name)}:`, credential: CREDENTIALS.has(name), signature: namesSignature(name) };
    if (NAMES.size < MAX_NAMES) NAMES.set(name, known);
  }
  return known;
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
    const known = headerName(name);
    const key = (logJson === '' ? '{' : ',') + known.jsonKey;
    if (known.credential) {
      log[name] = REDACTED;
      capture[name] = REDACTED;
      logJson += key + REDACTED_JSON;
      captureJson += key + REDACTED_JSON;
      continue;
    }
    const text = Array.isArray(value) ? value.join(', ') : value;
    const json = quoted(text);
    capture[name] = text;
    captureJson += key + json;
    if (known.signature || extraSignatureHeaders.has(name)) {
      log[name] = REDACTED;
      logJson += key + REDACTED_JSON;
    } else {
      log[name] = text;
      logJson += key + json;
    }
  }
  return { log, capture, logJson: logJson === '' ? '{}' : `${logJson}}`, captureJson: captureJson === '' ? '{}' : `${captureJson}}` };
}
