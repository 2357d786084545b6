import type { RawDelivery } from '../../../../shared/contract/admin-api.js';

/** Set by curl itself from the URL and the body, or describing the sender's connection: not copied. */
const NOT_COPIED = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'keep-alive', 'upgrade', 'expect', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host']);

export const REDACTED = '[redacted]';

/**
 * bash/zsh ANSI-C quoting ($'…'): every byte comes back exactly as captured, line ends, tabs and
 * bytes that are not UTF-8 included, and nothing in it is expanded by the shell.
 */
export function shellBytes(bytes: Uint8Array): string {
  let quoted = '';
  for (const byte of bytes) {
    if (byte === 0x5c) quoted += '\\\\';
    else if (byte === 0x27) quoted += "\\'";
    else if (byte === 0x0a) quoted += '\\n';
    else if (byte === 0x0d) quoted += '\\r';
    else if (byte === 0x09) quoted += '\\t';
    else if (byte >= 0x20 && byte < 0x7f) quoted += String.fromCharCode(byte);
    else quoted += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return `$'${quoted}'`;
}

const shellText = (text: string): string => shellBytes(new TextEncoder().encode(text));

/**
 * A curl command that sends the captured request again: same method, path, query, headers and the
 * exact body bytes. Signature headers read `[redacted]` unless `revealSignatures`: a command pasted
 * into a ticket must not be a working replay by default.
 */
export function curlCommand(raw: RawDelivery, body: Uint8Array, options: { signatureHeaders: ReadonlySet<string>; revealSignatures: boolean }): string {
  const scheme = raw.headers['x-forwarded-proto'] === 'https' ? 'https' : 'http';
  const host = raw.headers.host ?? 'RECEIVER_HOST';
  const lines = [`curl -X ${raw.method} ${shellText(`${scheme}://${host}${raw.path}${raw.query}`)}`];
  for (const [name, value] of Object.entries(raw.headers)) {
    if (NOT_COPIED.has(name)) continue;
    const shown = options.signatureHeaders.has(name) && !options.revealSignatures ? REDACTED : value;
    lines.push(`-H ${shellText(`${name}: ${shown}`)}`);
  }
  lines.push(`--data-binary ${shellBytes(body)}`);
  return lines.join(' \\\n  ');
}

/** Headers the node's log redacts (the delivery's detail shows them as `[redacted]`) or that name a signature. */
export function signatureHeaderNames(loggedHeaders: Readonly<Record<string, string>>, captured: Readonly<Record<string, string>>): Set<string> {
  const names = new Set<string>();
  for (const name of Object.keys(captured)) {
    if (loggedHeaders[name] === REDACTED || /signature|hmac/i.test(name)) names.add(name);
  }
  return names;
}
