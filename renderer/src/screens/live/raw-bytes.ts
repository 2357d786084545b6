/**
 * A body's exact bytes, in pieces the raw view can show: text as it is, and what the pretty view
 * hides made visible — line ends (LF, CR), tabs, other control characters and bytes that are not
 * UTF-8 (shown as hex). The diagnosis "the body gained a trailing newline" must be visible here.
 */
export type BytePiece =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'lf' }
  | { readonly kind: 'cr' }
  | { readonly kind: 'tab' }
  | { readonly kind: 'hex'; readonly byte: number; readonly why: 'control' | 'not-utf8' };

export interface ByteSummary {
  readonly length: number;
  readonly lf: number;
  readonly crlf: number;
  readonly endsWith: 'lf' | 'crlf' | 'cr' | 'none';
  readonly invalidUtf8: number;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** How many bytes the UTF-8 sequence starting with `lead` takes (0: not a lead byte). */
function sequenceLength(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** The first `limit` bytes as pieces; `truncated` when more follow. */
export function bytePieces(bytes: Uint8Array, limit = bytes.length): { pieces: BytePiece[]; truncated: boolean } {
  const pieces: BytePiece[] = [];
  let text = '';
  const flush = () => {
    if (text !== '') pieces.push({ kind: 'text', text });
    text = '';
  };
  const end = Math.min(bytes.length, limit);
  let index = 0;
  while (index < end) {
    const byte = bytes[index] as number;
    if (byte === 0x0a || byte === 0x0d || byte === 0x09) {
      flush();
      pieces.push({ kind: byte === 0x0a ? 'lf' : byte === 0x0d ? 'cr' : 'tab' });
      index++;
    } else if (byte < 0x20 || byte === 0x7f) {
      flush();
      pieces.push({ kind: 'hex', byte, why: 'control' });
      index++;
    } else if (byte < 0x80) {
      text += String.fromCharCode(byte);
      index++;
    } else {
      const length = sequenceLength(byte);
      let decoded: string | undefined;
      if (length > 0 && index + length <= bytes.length) {
        try {
          decoded = strictUtf8.decode(bytes.subarray(index, index + length));
        } catch {
          decoded = undefined;
        }
      }
      if (decoded === undefined) {
        flush();
        pieces.push({ kind: 'hex', byte, why: 'not-utf8' });
        index++;
      } else {
        text += decoded;
        index += length;
      }
    }
  }
  flush();
  return { pieces, truncated: end < bytes.length };
}

/** The facts about line ends and encoding that explain a signature mismatch at a glance. */
export function byteSummary(bytes: Uint8Array): ByteSummary {
  let lf = 0;
  let crlf = 0;
  for (let index = 0; index < bytes.length; index++) {
    if (bytes[index] !== 0x0a) continue;
    lf++;
    if (index > 0 && bytes[index - 1] === 0x0d) crlf++;
  }
  const last = bytes[bytes.length - 1];
  const beforeLast = bytes[bytes.length - 2];
  const endsWith = last === 0x0a ? (beforeLast === 0x0d ? 'crlf' : 'lf') : last === 0x0d ? 'cr' : 'none';
  const invalidUtf8 = bytePieces(bytes).pieces.filter((piece) => piece.kind === 'hex' && piece.why === 'not-utf8').length;
  return { length: bytes.length, lf, crlf, endsWith, invalidUtf8 };
}
