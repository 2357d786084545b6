import { createHmac, createSecretKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { bytesEqual } from './constant-time.js';
import { headerValue } from './scheme.js';
import type { InboundRequest, SignatureCheck, SignatureScheme, VerificationKey } from './scheme.js';

export interface HmacOptions {
  /** Name of the header carrying `prefix` + encoded MAC. */
  header: string;
  /** Literal text before the encoded MAC, such as `sha256=`; may be ''. */
  prefix: string;
  algorithm: 'sha256' | 'sha512';
  encoding: 'hex' | 'base64';
  /** Template of the signed bytes with `{body}`, `{timestamp}` and `{id}` placeholders, e.g. `{timestamp}.{body}`. */
  signedContent: string;
  /** Header with the signing time in unix seconds; required when the template uses `{timestamp}`. */
  timestampHeader?: string;
  /** Header with the sender's delivery id; required when the template uses `{id}`. */
  idHeader?: string;
}

type Part =
  | { readonly kind: 'literal'; readonly bytes: Buffer }
  | { readonly kind: 'body' }
  | { readonly kind: 'timestamp' }
  | { readonly kind: 'id' };

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
// Capped at 12 digits so the value always fits a safe integer and absurd inputs are refused early.
const UNIX_SECONDS = /^[0-9]{1,12}$/;
const BASE64_PADDING = /=+$/;

const DIGEST_BYTES: Record<HmacOptions['algorithm'], number> = { sha256: 32, sha512: 64 };

/**
 * Generic HMAC scheme for in-house senders. The template is compiled once here so the hot path only
 * feeds pre-encoded literal bytes and the raw body into the MAC, never re-parsing or string-decoding.
 */
export function hmacScheme(options: HmacOptions): SignatureScheme<KeyObject> {
  const { prefix, algorithm, encoding } = options;
  if (options.header.trim() === '') throw new Error('hmac: header must name the signature header');
  if (!(algorithm in DIGEST_BYTES)) throw new Error(`hmac: unsupported algorithm "${String(algorithm)}" (use sha256 or sha512)`);
  if (encoding !== 'hex' && encoding !== 'base64') {
    throw new Error(`hmac: unsupported encoding "${String(encoding)}" (use hex or base64)`);
  }
  // node:http lower-cases incoming header names, so configured names must be compared the same way.
  const header = options.header.toLowerCase();
  const timestampHeader = options.timestampHeader?.toLowerCase();
  const idHeader = options.idHeader?.toLowerCase();
  const parts = compileTemplate(options.signedContent, timestampHeader !== undefined, idHeader !== undefined);
  const usesTimestamp = parts.some((p) => p.kind === 'timestamp');
  const usesId = parts.some((p) => p.kind === 'id');
  // A timestamp header that is not part of the signed bytes could be rewritten by a replayer to pass the
  // tolerance window, so claiming signsTimestamp for it would be a false promise.
  if (timestampHeader !== undefined && !usesTimestamp) {
    throw new Error('hmac: timestampHeader is set but signedContent does not contain {timestamp}, so the timestamp would not be signed');
  }
  const expectedBytes = DIGEST_BYTES[algorithm];

  function decodePresented(encoded: string): Buffer | undefined {
    if (encoding === 'hex') {
      const bytes = Buffer.from(encoded, 'hex');
      // Buffer.from stops silently at the first non-hex character; a short result means it was not all hex.
      return bytes.length * 2 === encoded.length ? bytes : undefined;
    }
    const bytes = Buffer.from(encoded, 'base64');
    // Buffer.from skips invalid characters silently; round-tripping rejects anything but canonical base64
    // (padding optional) so two spellings of one MAC cannot slip past the signature replay cache.
    const canonical = bytes.toString('base64');
    return canonical === encoded || canonical.replace(BASE64_PADDING, '') === encoded ? bytes : undefined;
  }

  function fail(reason: 'signature_missing' | 'signature_malformed' | 'signature_invalid', detail: string): SignatureCheck {
    return { ok: false, reason, detail };
  }

  return {
    signsTimestamp: timestampHeader !== undefined,

    prepareKey(secret: string): KeyObject {
      if (secret.length === 0) throw new Error('hmac: the secret is empty');
      return createSecretKey(Buffer.from(secret, 'utf8'));
    },

    verify(request: InboundRequest, keys: readonly VerificationKey<KeyObject>[]): SignatureCheck {
      const raw = headerValue(request.headers, header);
      if (raw === undefined || raw === '') return fail('signature_missing', `header ${header} is absent or empty`);
      if (!raw.startsWith(prefix)) return fail('signature_malformed', `header ${header} does not start with the configured prefix`);
      const presented = decodePresented(raw.slice(prefix.length));
      if (presented === undefined || presented.length === 0) {
        return fail('signature_malformed', `header ${header} is not valid ${encoding} after the prefix`);
      }

      let timestamp: string | undefined;
      let signedAt: number | undefined;
      if (timestampHeader !== undefined) {
        timestamp = headerValue(request.headers, timestampHeader);
        if (timestamp === undefined || timestamp === '') {
          return fail('signature_missing', `timestamp header ${timestampHeader} is absent or empty`);
        }
        if (!UNIX_SECONDS.test(timestamp)) {
          return fail('signature_malformed', `timestamp header ${timestampHeader} is not unix seconds`);
        }
        signedAt = Number(timestamp);
      }
      let id: string | undefined;
      if (usesId && idHeader !== undefined) {
        id = headerValue(request.headers, idHeader);
        if (id === undefined || id === '') return fail('signature_missing', `id header ${idHeader} is absent or empty`);
      }

      if (presented.length !== expectedBytes) {
        return fail('signature_invalid', `signature has ${presented.length} bytes, HMAC-${algorithm.toUpperCase()} has ${expectedBytes}`);
      }
      for (const { secretId, key } of keys) {
        const mac = createHmac(algorithm, key);
        for (const part of parts) {
          switch (part.kind) {
            case 'literal':
              mac.update(part.bytes);
              break;
            case 'body':
              mac.update(request.body);
              break;
            case 'timestamp':
              mac.update(timestamp ?? '', 'utf8');
              break;
            case 'id':
              mac.update(id ?? '', 'utf8');
              break;
          }
        }
        if (bytesEqual(mac.digest(), presented)) {
          // Re-encoding the matched bytes gives one canonical spelling for the replay cache (hex case varies).
          const signature = presented.toString(encoding);
          return signedAt === undefined ? { ok: true, secretId, signature } : { ok: true, secretId, signature, signedAt };
        }
      }
      return fail('signature_invalid', `no active secret produces the HMAC-${algorithm.toUpperCase()} in ${header}`);
    },

    deliveryId(request: InboundRequest): string | undefined {
      if (idHeader === undefined) return undefined;
      const id = headerValue(request.headers, idHeader);
      return id === undefined || id === '' ? undefined : id;
    },
  };
}

function compileTemplate(template: string, hasTimestampHeader: boolean, hasIdHeader: boolean): Part[] {
  const parts: Part[] = [];
  let last = 0;
  const pushLiteral = (text: string): void => {
    if (text !== '') parts.push({ kind: 'literal', bytes: Buffer.from(text, 'utf8') });
  };
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = match[1];
    pushLiteral(template.slice(last, match.index));
    last = match.index + match[0].length;
    switch (name) {
      case 'body':
        parts.push({ kind: 'body' });
        break;
      case 'timestamp':
        if (!hasTimestampHeader) throw new Error('hmac: signedContent uses {timestamp} but no timestampHeader is configured');
        parts.push({ kind: 'timestamp' });
        break;
      case 'id':
        if (!hasIdHeader) throw new Error('hmac: signedContent uses {id} but no idHeader is configured');
        parts.push({ kind: 'id' });
        break;
      default:
        // A typo such as {timestmap} would otherwise be signed as literal text and never verify.
        throw new Error(`hmac: signedContent has an unknown placeholder {${String(name)}} (use {body}, {timestamp}, {id})`);
    }
  }
  pushLiteral(template.slice(last));
  // Without the body in the MAC the signature would authenticate nothing the receiver stores.
  if (!parts.some((p) => p.kind === 'body')) throw new Error('hmac: signedContent must contain {body}');
  return parts;
}
