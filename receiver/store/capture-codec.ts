import { inflateRawSync } from 'node:zlib';
import { seal, unseal } from '../state/seal.js';
import { CaptureDeflater } from './capture-deflater.js';
import { CAPTURE_DICTIONARY_V1 } from './capture-dictionary.js';

/** The raw request as received, kept for replay; only credentials are taken out. */
export interface CapturedRequest {
  readonly query: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** Set when only the first bytes of the body were kept (rejected requests): the body's full size. */
  readonly truncatedFrom?: number;
}

const PLAIN_FORMAT = 0;
const SEPARATOR = 0x00;
/**
 * First byte of a sealed plaintext: deflated with CAPTURE_DICTIONARY_V1 (written now), deflated without
 * a dictionary (written by earlier versions, still read); an older one starts with the meta's "{".
 */
const DEFLATED_WITH_DICTIONARY = 0x02;
const DEFLATED = 0x01;
/**
 * Level 1: a typical ~1 KB JSON delivery shrinks about 4× for 7-9 µs of CPU with the engine reused
 * (capture-deflater.ts; smaller windows or hash tables saved nothing). The capture is most of a log
 * row's bytes, and WAL writes every byte twice.
 */
const DEFLATE_OPTIONS = { level: 1, dictionary: CAPTURE_DICTIONARY_V1, prefix: DEFLATED_WITH_DICTIONARY } as const;
/** One per thread: the writer thread seals every capture, one after another. */
let deflater: CaptureDeflater | undefined;
const INFLATE_OPTIONS = { dictionary: CAPTURE_DICTIONARY_V1 } as const;

/**
 * The JSON of a capture's query and headers, as sealed in front of its body: the text JSON.stringify
 * writes for `{ query, headers, truncatedFrom? }`, taking the headers' JSON when the caller has it already.
 */
export function captureMeta(capture: CapturedRequest, headersJson = JSON.stringify(capture.headers)): string {
  const truncated = capture.truncatedFrom === undefined ? '' : `,"truncatedFrom":${JSON.stringify(capture.truncatedFrom)}`;
  return `{"query":${JSON.stringify(capture.query)},"headers":${headersJson}${truncated}}`;
}

/**
 * A capture at rest: sealed with AES-256-GCM under the node's master key (per-row nonce, the
 * integration id as associated data). The sealed plaintext is a format byte, then, deflated with the
 * preset dictionary (capture-dictionary.ts), the
 * JSON of query and headers (`captureMeta`), a NUL byte (JSON text never holds a raw one) and the
 * body bytes as received. Compressing before sealing is the only place it can happen (ciphertext
 * does not compress); the stored length then says a little about the content, which only someone
 * who can already read the database file sees.
 */
export function sealCapture(key: Buffer, integrationId: string, meta: string, body: Buffer): Buffer {
  deflater ??= new CaptureDeflater(DEFLATE_OPTIONS);
  return seal(key, integrationId, deflater.deflate(meta, SEPARATOR, body));
}

/**
 * Reads a stored capture: sealed (deflated with or without the dictionary or, from older versions, not
 * deflated), or format 0 (not sealed) as migrated from an older version.
 */
export function openCapture(key: Buffer, integrationId: string, stored: Buffer): CapturedRequest {
  const opened = stored[0] === PLAIN_FORMAT ? stored.subarray(1) : unseal(key, integrationId, stored);
  const plain = inflated(opened);
  const end = plain.indexOf(SEPARATOR);
  if (end < 0) throw new Error('a stored capture has no header section');
  const meta = JSON.parse(plain.subarray(0, end).toString('utf8')) as { query: string; headers: Record<string, string>; truncatedFrom?: number };
  return { query: meta.query, headers: meta.headers, body: plain.subarray(end + 1), ...(meta.truncatedFrom === undefined ? {} : { truncatedFrom: meta.truncatedFrom }) };
}

function inflated(opened: Buffer): Buffer {
  if (opened[0] === DEFLATED_WITH_DICTIONARY) return inflateRawSync(opened.subarray(1), INFLATE_OPTIONS);
  if (opened[0] === DEFLATED) return inflateRawSync(opened.subarray(1));
  return opened;
}

export const REDACTED = '[redacted]';

/**
 * The body with the JSON fields named by `pointers` (RFC 6901) replaced by "[redacted]", for
 * personal data an integration must not keep. A body that is not JSON is kept as it is: there are
 * no fields to name in it. Pointers that match nothing change nothing.
 */
export function redactJsonFields(body: Buffer, pointers: readonly string[]): Buffer {
  if (pointers.length === 0) return body;
  let document: unknown;
  try {
    document = JSON.parse(body.toString('utf8'));
  } catch {
    return body;
  }
  let changed = false;
  for (const pointer of pointers) changed = replaceAt(document, parsePointer(pointer)) || changed;
  return changed ? Buffer.from(JSON.stringify(document)) : body;
}

export function parsePointer(pointer: string): string[] {
  if (!pointer.startsWith('/')) throw new Error(`"${pointer}" is not a JSON pointer: it must start with "/"`);
  return pointer.slice(1).split('/').map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function replaceAt(document: unknown, tokens: readonly string[]): boolean {
  let node: unknown = document;
  for (let index = 0; index < tokens.length; index++) {
    if (node === null || typeof node !== 'object') return false;
    const token = tokens[index] as string;
    const container = node as Record<string, unknown>;
    if (!Object.hasOwn(container, token)) return false;
    if (index === tokens.length - 1) {
      container[token] = REDACTED;
      return true;
    }
    node = container[token];
  }
  return false;
}
