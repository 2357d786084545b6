import { createHash, createPublicKey, verify as cryptoVerify } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { headerValue } from './scheme.js';
import type { InboundRequest, SignatureCheck, SignatureScheme, VerificationKey } from './scheme.js';

export type JwsAlgorithm = 'ES256' | 'RS256' | 'EdDSA';

export interface JwsOptions {
  /** Header carrying the detached JWS `<b64url protected>..<b64url signature>`. */
  header: string;
  /** Algorithms accepted in the protected header; anything else (including `none`) never verifies. */
  algorithms: JwsAlgorithm[];
  jwks: { file: string } | { url: string };
  /** Minimum gap between two JWKS reloads, however many unknown key ids arrive. */
  refreshMinSeconds: number;
  /** Header with the sender's delivery id; when absent the protected header's `jti` is used. */
  idHeader?: string;
}

export interface JwsDeps {
  /** Clock in milliseconds (Date.now semantics), injectable so tests can step over the refresh limit. */
  now?: () => number;
  fetch?: typeof fetch;
}

export type JwsScheme = SignatureScheme<never> & { close(): void };

const SUPPORTED: readonly JwsAlgorithm[] = ['ES256', 'RS256', 'EdDSA'];
const MAX_HEADER_CHARS = 8192;
const MAX_JWKS_BYTES = 1024 * 1024;
const FETCH_TIMEOUT_MS = 10_000;
const MIN_RSA_BITS = 2048;
const B64URL = /^[A-Za-z0-9_-]*$/;

interface ImportedKey {
  readonly kid: string | undefined;
  /** The kid, or an RFC 7638 thumbprint for a kid-less key, so the delivery log always names the key. */
  readonly secretId: string;
  readonly alg: JwsAlgorithm;
  readonly key: KeyObject;
}

interface KeySet {
  readonly byKid: ReadonlyMap<string, readonly ImportedKey[]>;
  readonly all: readonly ImportedKey[];
}

interface ParsedJws {
  readonly protectedB64: string;
  readonly alg: JwsAlgorithm;
  readonly kid: string | undefined;
  readonly b64: boolean;
  readonly iat: number | undefined;
  readonly signature: Buffer;
}

type Failure = Extract<SignatureCheck, { ok: false }>;

function fail(reason: Failure['reason'], detail: string): Failure {
  return { ok: false, reason, detail };
}

/** Attacker-chosen strings end up in the delivery log; keep them short and quoted. */
function quote(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
}

/**
 * Detached JWS (RFC 7515 appendix F, optionally RFC 7797 unencoded payload) over the raw body, with keys
 * from a JWKS. Keys embedded in the token (`jwk`, `jku`, `x5u`, `x5c`) are ignored on purpose: trusting
 * them would let any sender pick its own key.
 */
export function jwsScheme(options: JwsOptions, deps: JwsDeps = {}): JwsScheme {
  if (options.header.trim() === '') throw new Error('jws: header must name the signature header');
  if (options.algorithms.length === 0) throw new Error('jws: algorithms must list at least one of ES256, RS256, EdDSA');
  for (const alg of options.algorithms) {
    if (!SUPPORTED.includes(alg)) throw new Error(`jws: unsupported algorithm "${String(alg)}" (use ES256, RS256 or EdDSA)`);
  }
  if (!Number.isFinite(options.refreshMinSeconds) || options.refreshMinSeconds < 0) {
    throw new Error('jws: refreshMinSeconds must be a non-negative number');
  }
  const header = options.header.toLowerCase();
  const idHeader = options.idHeader?.toLowerCase();
  const allowed: ReadonlySet<string> = new Set(options.algorithms);
  const refreshMinMs = options.refreshMinSeconds * 1000;
  const now = deps.now ?? Date.now;
  const doFetch = deps.fetch ?? globalThis.fetch;
  const controller = new AbortController();

  let load: () => Promise<KeySet>;
  let keySet: KeySet | undefined;
  if ('file' in options.jwks) {
    const file = options.jwks.file;
    const source = `JWKS file ${file}`;
    // Read synchronously so a missing or broken file fails config loading instead of the first delivery.
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new Error(`jws: cannot read ${source}: ${errorText(error)}`);
    }
    keySet = parseJwks(text, source, allowed);
    load = async () => parseJwks(await readFile(file, 'utf8'), source, allowed);
  } else {
    const url = parseJwksUrl(options.jwks.url);
    keySet = undefined;
    load = async () => parseJwks(await fetchJwks(doFetch, url, controller.signal), 'JWKS URL', allowed);
  }

  // The creation time counts as an attempt for a file (already read); a URL's first fetch is free.
  let lastAttempt: number | undefined = keySet === undefined ? undefined : now();
  let inflight: Promise<void> | undefined;
  let lastError: string | undefined;
  let closed = false;

  function refreshAllowed(): boolean {
    return !closed && (lastAttempt === undefined || now() - lastAttempt >= refreshMinMs);
  }

  function refresh(): Promise<void> {
    // Concurrent callers share one reload so a burst of new kids costs a single fetch.
    if (inflight !== undefined) return inflight;
    lastAttempt = now();
    const attempt = load().then(
      (loaded) => {
        keySet = loaded;
        lastError = undefined;
      },
      (error: unknown) => {
        // Keep serving the previous keys: a JWKS endpoint hiccup must not reject every delivery.
        lastError = errorText(error);
      },
    );
    inflight = attempt.finally(() => {
      inflight = undefined;
    });
    return inflight;
  }

  function candidates(set: KeySet, jws: ParsedJws): readonly ImportedKey[] {
    const pool = jws.kid === undefined ? set.all : (set.byKid.get(jws.kid) ?? []);
    return pool.filter((k) => k.alg === jws.alg);
  }

  function noKey(jws: ParsedJws, rateLimited: boolean): Failure {
    const what = jws.kid === undefined ? `no ${jws.alg} key without kid in the JWKS` : `no ${jws.alg} key with kid ${quote(jws.kid)} in the JWKS`;
    const why = lastError !== undefined ? `; last JWKS load failed: ${lastError}` : rateLimited ? '; reload rate-limited' : '';
    return fail('signature_invalid', what + why);
  }

  async function verifyAfterRefresh(jws: ParsedJws, body: Buffer): Promise<SignatureCheck> {
    try {
      await refresh();
      if (keySet === undefined) return fail('signature_invalid', `JWKS not loaded: ${lastError ?? 'unavailable'}`);
      const found = candidates(keySet, jws);
      return found.length > 0 ? check(jws, found, body) : noKey(jws, false);
    } catch (error) {
      return fail('signature_invalid', `JWS verification failed: ${errorText(error)}`);
    }
  }

  return {
    signsTimestamp: true,

    prepareKey(): never {
      throw new Error('jws: keys come from the JWKS; this scheme takes no secrets');
    },

    verify(request: InboundRequest, _keys: readonly VerificationKey<never>[]): SignatureCheck | Promise<SignatureCheck> {
      try {
        const parsed = parseJws(headerValue(request.headers, header), header, allowed);
        if ('ok' in parsed) return parsed;
        const found = keySet === undefined ? [] : candidates(keySet, parsed);
        if (found.length > 0) return check(parsed, found, request.body);
        // Only a missing kid (rotation) or a URL never loaded may cost a reload; kid-less misses cannot be fixed by one.
        const reloadable = keySet === undefined || parsed.kid !== undefined;
        if (reloadable && (inflight !== undefined || refreshAllowed())) return verifyAfterRefresh(parsed, request.body);
        if (keySet === undefined) return fail('signature_invalid', `JWKS not loaded: ${lastError ?? 'unavailable'}; reload rate-limited`);
        return noKey(parsed, reloadable);
      } catch (error) {
        return fail('signature_invalid', `JWS verification failed: ${errorText(error)}`);
      }
    },

    deliveryId(request: InboundRequest): string | undefined {
      try {
        if (idHeader !== undefined) {
          const id = headerValue(request.headers, idHeader);
          if (id !== undefined && id !== '') return id;
          return undefined;
        }
        const protectedHeader = decodeProtected(headerValue(request.headers, header));
        const jti = protectedHeader?.['jti'];
        return typeof jti === 'string' && jti !== '' ? jti : undefined;
      } catch {
        return undefined;
      }
    },

    close(): void {
      closed = true;
      controller.abort();
    },
  };
}

function check(jws: ParsedJws, keys: readonly ImportedKey[], body: Buffer): SignatureCheck {
  const prefix = Buffer.from(`${jws.protectedB64}.`, 'ascii');
  const payload = jws.b64 ? Buffer.from(body.toString('base64url'), 'ascii') : body;
  const input = Buffer.concat([prefix, payload]);
  for (const candidate of keys) {
    if (verifyOne(jws.alg, candidate.key, input, jws.signature)) {
      // Re-encoding gives one spelling per signature so the replay cache cannot be dodged by base64 variants.
      const signature = jws.signature.toString('base64url');
      return jws.iat === undefined
        ? { ok: true, secretId: candidate.secretId, signature }
        : { ok: true, secretId: candidate.secretId, signature, signedAt: jws.iat };
    }
  }
  const which = jws.kid === undefined ? `any ${jws.alg} key of the JWKS` : `key ${quote(jws.kid)}`;
  return fail('signature_invalid', `${jws.alg} signature does not verify with ${which}`);
}

function verifyOne(alg: JwsAlgorithm, key: KeyObject, input: Buffer, signature: Buffer): boolean {
  try {
    switch (alg) {
      case 'ES256':
        // JWS carries ECDSA signatures as raw r||s, not DER.
        return signature.length === 64 && cryptoVerify('sha256', input, { key, dsaEncoding: 'ieee-p1363' }, signature);
      case 'RS256':
        return cryptoVerify('sha256', input, key, signature);
      case 'EdDSA':
        return signature.length === 64 && cryptoVerify(null, input, key, signature);
    }
  } catch {
    return false;
  }
}

function decodeB64url(value: string): Buffer | undefined {
  // Buffer.from skips invalid characters silently, so the alphabet and length are checked first.
  if (value.length % 4 === 1 || !B64URL.test(value)) return undefined;
  return Buffer.from(value, 'base64url');
}

/** The protected header of a raw header value, for deliveryId, which must not depend on verification. */
function decodeProtected(raw: string | undefined): Record<string, unknown> | undefined {
  if (raw === undefined || raw.length > MAX_HEADER_CHARS) return undefined;
  const dot = raw.indexOf('.');
  return dot <= 0 ? undefined : decodeProtectedSegment(raw.slice(0, dot));
}

function decodeProtectedSegment(segment: string): Record<string, unknown> | undefined {
  const bytes = decodeB64url(segment);
  if (bytes === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function parseJws(raw: string | undefined, header: string, allowed: ReadonlySet<string>): ParsedJws | Failure {
  if (raw === undefined || raw === '') return fail('signature_missing', `header ${header} is absent or empty`);
  if (raw.length > MAX_HEADER_CHARS) return fail('signature_malformed', `header ${header} is longer than ${MAX_HEADER_CHARS} characters`);
  const parts = raw.split('.');
  if (parts.length !== 3) return fail('signature_malformed', `header ${header} is not <protected>..<signature>`);
  const [protectedB64 = '', payload, signatureB64 = ''] = parts;
  if (payload !== '') return fail('signature_malformed', `header ${header} carries a payload; the body must be detached`);
  if (protectedB64 === '' || signatureB64 === '') return fail('signature_malformed', `header ${header} has an empty part`);
  const signature = decodeB64url(signatureB64);
  if (signature === undefined || signature.length === 0) return fail('signature_malformed', 'JWS signature is not base64url');
  const protectedHeader = decodeProtectedSegment(protectedB64);
  if (protectedHeader === undefined) return fail('signature_malformed', 'JWS protected header is not base64url JSON object');

  const alg = protectedHeader['alg'];
  if (typeof alg !== 'string') return fail('signature_malformed', 'JWS protected header has no alg');
  // A disallowed alg (none, HS256, …) is well-formed but can never match a key, hence invalid, not malformed.
  if (!allowed.has(alg)) return fail('signature_invalid', `JWS alg ${quote(alg)} is not allowed for this integration`);

  const kid = protectedHeader['kid'];
  if (kid !== undefined && (typeof kid !== 'string' || kid === '')) return fail('signature_malformed', 'JWS kid is not a non-empty string');

  const iat = protectedHeader['iat'];
  // A non-integer iat is refused rather than ignored, since ignoring it would silently skip the window.
  if (iat !== undefined && !(typeof iat === 'number' && Number.isSafeInteger(iat) && iat >= 0)) {
    return fail('signature_malformed', 'JWS iat is not integer unix seconds');
  }

  const crit = protectedHeader['crit'];
  const b64 = protectedHeader['b64'];
  if (crit !== undefined) {
    if (!Array.isArray(crit) || crit.length === 0 || !crit.every((c) => typeof c === 'string')) {
      return fail('signature_malformed', 'JWS crit is not a non-empty array of names');
    }
    for (const name of crit as string[]) {
      // RFC 7515 §4.1.11: an extension we do not implement must make the JWS fail.
      if (name !== 'b64') return fail('signature_invalid', `JWS crit names unsupported extension ${quote(name)}`);
    }
    if (b64 === undefined) return fail('signature_malformed', 'JWS crit names b64 but the header has none');
  }
  if (b64 !== undefined && typeof b64 !== 'boolean') return fail('signature_malformed', 'JWS b64 is not a boolean');
  // RFC 7797 §6: b64 must be listed in crit, otherwise a verifier unaware of it would hash the wrong bytes.
  if (b64 === false && !(Array.isArray(crit) && crit.includes('b64'))) {
    return fail('signature_malformed', 'JWS b64:false without crit ["b64"]');
  }

  return {
    protectedB64,
    alg: alg as JwsAlgorithm,
    kid: kid as string | undefined,
    b64: b64 !== false,
    iat: iat as number | undefined,
    signature,
  };
}

function parseJwks(text: string, source: string, allowed: ReadonlySet<string>): KeySet {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error(`${source} is not JSON`);
  }
  const keys = typeof doc === 'object' && doc !== null ? (doc as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(keys)) throw new Error(`${source} has no "keys" array`);
  const all: ImportedKey[] = [];
  const byKid = new Map<string, ImportedKey[]>();
  for (const entry of keys) {
    const imported = importJwk(entry, allowed);
    if (imported === undefined) continue;
    all.push(imported);
    if (imported.kid !== undefined) {
      const list = byKid.get(imported.kid);
      if (list === undefined) byKid.set(imported.kid, [imported]);
      else list.push(imported);
    }
  }
  if (all.length === 0) throw new Error(`${source} has no usable signing key for ${[...allowed].join(', ')}`);
  return { byKid, all };
}

/** Keys that cannot serve an allowed algorithm are skipped rather than fatal: a shared JWKS may hold other kinds. */
function importJwk(entry: unknown, allowed: ReadonlySet<string>): ImportedKey | undefined {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return undefined;
  const jwk = entry as Record<string, unknown>;
  if (jwk['use'] !== undefined && jwk['use'] !== 'sig') return undefined;
  const ops = jwk['key_ops'];
  if (ops !== undefined && !(Array.isArray(ops) && ops.includes('verify'))) return undefined;
  let alg: JwsAlgorithm;
  let thumbprintMembers: string[];
  if (jwk['kty'] === 'EC' && jwk['crv'] === 'P-256') {
    alg = 'ES256';
    thumbprintMembers = ['crv', 'kty', 'x', 'y'];
  } else if (jwk['kty'] === 'RSA') {
    alg = 'RS256';
    thumbprintMembers = ['e', 'kty', 'n'];
  } else if (jwk['kty'] === 'OKP' && jwk['crv'] === 'Ed25519') {
    alg = 'EdDSA';
    thumbprintMembers = ['crv', 'kty', 'x'];
  } else {
    return undefined;
  }
  if (!allowed.has(alg)) return undefined;
  // RFC 9864 names Ed25519 keys' algorithm 'Ed25519'; both spellings mean the same verification here.
  const jwkAlg = jwk['alg'];
  if (jwkAlg !== undefined && jwkAlg !== alg && !(alg === 'EdDSA' && jwkAlg === 'Ed25519')) return undefined;
  const kid = typeof jwk['kid'] === 'string' && jwk['kid'] !== '' ? jwk['kid'] : undefined;
  // Only public members go to the importer, so a private JWK published by mistake never yields a private key.
  const publicJwk: Record<string, unknown> = {};
  for (const member of thumbprintMembers) {
    if (typeof jwk[member] !== 'string') return undefined;
    publicJwk[member] = jwk[member];
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: publicJwk as JsonWebKey, format: 'jwk' });
  } catch {
    return undefined;
  }
  if (alg === 'RS256' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) return undefined;
  const secretId = kid ?? `jkt:${createHash('sha256').update(JSON.stringify(publicJwk)).digest('base64url')}`;
  return { kid, secretId, alg, key };
}

function parseJwksUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error('jws: jwks.url is not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('jws: jwks.url must be http or https');
  return url;
}

async function fetchJwks(doFetch: typeof fetch, url: URL, closing: AbortSignal): Promise<string> {
  const response = await doFetch(url, {
    headers: { accept: 'application/jwk-set+json, application/json' },
    signal: AbortSignal.any([closing, AbortSignal.timeout(FETCH_TIMEOUT_MS)]),
  });
  if (!response.ok) throw new Error(`JWKS URL answered HTTP ${response.status}`);
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > MAX_JWKS_BYTES) throw new Error('JWKS URL answered more than 1 MiB');
  const text = await response.text();
  if (text.length > MAX_JWKS_BYTES) throw new Error('JWKS URL answered more than 1 MiB');
  return text;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
