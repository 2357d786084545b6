import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { CryptoKey, FlattenedJWSInput } from 'jose';
import type { JwsKeySetView } from '../../shared/contract/admin-api.js';
import { KeyUsage } from './jws-key-usage.js';
import { algOf, fetchJwks, parseJwks, parseJwksUrl, type JwsAlgorithm, type KeySet } from './jwks.js';
import { loadJose } from './load-jose.js';
import { headerValue } from './scheme.js';
import type { InboundRequest, SignatureCheck, SignatureScheme, VerificationKey } from './scheme.js';

export type { JwsAlgorithm } from './jwks.js';

export interface JwsOptions {
  /** Header carrying the detached JWS `<b64url protected>..<b64url signature>`. */
  header: string;
  /** Algorithms accepted in the protected header; anything else (including `none`) never verifies. */
  algorithms: JwsAlgorithm[];
  jwks: { file: string } | { url: string };
  /** Minimum gap between two JWKS reloads, however many unknown key ids arrive. */
  refreshMinSeconds: number;
  /** A JWS without `iat` is refused (default): without a signed time it could be replayed forever. */
  requireIat?: boolean;
  /** Header with the sender's delivery id; when absent the protected header's `jti` is used. */
  idHeader?: string;
}

export interface JwsDeps {
  /** Clock in milliseconds (Date.now semantics), injectable so tests can step over the refresh limit. */
  now?: () => number;
  fetch?: typeof fetch;
}

export type JwsScheme = SignatureScheme<never> & {
  close(): void;
  /** What the node has loaded and seen, for `GET /integrations` (`jwsKeySetView`). */
  keySet(): JwsKeySetView;
};

/** Whether an integration's scheme is the JWS one (it alone has a key set to show). */
export function isJwsScheme(scheme: SignatureScheme<unknown>): scheme is JwsScheme {
  return typeof (scheme as Partial<JwsScheme>).keySet === 'function';
}

const SUPPORTED: readonly JwsAlgorithm[] = ['ES256', 'RS256', 'EdDSA'];
const MAX_HEADER_CHARS = 8192;
const B64URL = /^[A-Za-z0-9_-]*$/;

interface ParsedJws {
  readonly protectedB64: string;
  readonly signatureB64: string;
  readonly alg: JwsAlgorithm;
  readonly kid: string | undefined;
  readonly b64: boolean;
  readonly iat: number | undefined;
  readonly signature: Buffer;
  /** Whether this verification counts in the key-set view: only the first look at a request does. */
  readonly counts?: boolean;
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
 * Detached JWS (RFC 7515 appendix F, optionally RFC 7797 unencoded payload) over the raw body, verified
 * by jose (`flattenedVerify` with the body as the detached payload, keys from `createLocalJWKSet`). What
 * stays here is what jose does not know: the named reasons of the delivery log, the JWKS source (file or
 * URL) with its reload limit, fetch timeout and size cap, the key-size floor and the algorithm allowlist.
 * Keys embedded in the token (`jwk`, `jku`, `x5u`, `x5c`) are ignored on purpose: trusting them would let
 * any sender pick its own key.
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
  const requireIat = options.requireIat ?? true;
  const allowed: ReadonlySet<string> = new Set(options.algorithms);
  const refreshMinMs = options.refreshMinSeconds * 1000;
  const now = deps.now ?? Date.now;
  const doFetch = deps.fetch ?? globalThis.fetch;
  const controller = new AbortController();
  const usage = new KeyUsage(now);

  let load: () => Promise<KeySet>;
  let keySet: KeySet | undefined;
  let lastFetch: { at: number; ok: boolean; error?: string } | null = null;
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
    lastFetch = { at: now(), ok: true };
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
        lastFetch = { at: now(), ok: true };
      },
      (error: unknown) => {
        // Keep serving the previous keys: a JWKS endpoint hiccup must not reject every delivery.
        lastError = errorText(error);
        lastFetch = { at: now(), ok: false, error: lastError };
      },
    );
    inflight = attempt.finally(() => {
      inflight = undefined;
    });
    return inflight;
  }

  function hasCandidate(set: KeySet, jws: ParsedJws): boolean {
    return set.jwks.some((jwk) => algOf(jwk) === jws.alg && (jws.kid === undefined || jwk.kid === jws.kid));
  }

  function noKey(jws: ParsedJws, rateLimited: boolean): Failure {
    if (jws.counts === true && jws.kid !== undefined) usage.unknown(jws.kid);
    const what = jws.kid === undefined ? `no ${jws.alg} key without kid in the JWKS` : `no ${jws.alg} key with kid ${quote(jws.kid)} in the JWKS`;
    const why = lastError !== undefined ? `; last JWKS load failed: ${lastError}` : rateLimited ? '; reload rate-limited' : '';
    return fail('signature_invalid', what + why);
  }

  async function verifyLoaded(jws: ParsedJws, body: Buffer): Promise<SignatureCheck> {
    const set = keySet;
    if (set === undefined) return fail('signature_invalid', `JWKS not loaded: ${lastError ?? 'unavailable'}; reload rate-limited`);
    if (hasCandidate(set, jws)) return check(set, jws, body, usage);
    // Only a missing kid (rotation) may cost a reload; a kid-less miss cannot be fixed by one.
    const reloadable = jws.kid !== undefined;
    if (reloadable && (inflight !== undefined || refreshAllowed())) {
      await refresh();
      if (keySet === undefined) return fail('signature_invalid', `JWKS not loaded: ${lastError ?? 'unavailable'}`);
      return hasCandidate(keySet, jws) ? check(keySet, jws, body, usage) : noKey(jws, false);
    }
    return noKey(jws, reloadable);
  }

  return {
    signsTimestamp: true,

    prepareKey(): never {
      throw new Error('jws: keys come from the JWKS; this scheme takes no secrets');
    },

    async verify(request: InboundRequest, _keys: readonly VerificationKey<never>[]): Promise<SignatureCheck> {
      try {
        const parsed = parseJws(headerValue(request.headers, header), header, allowed, requireIat);
        if ('ok' in parsed) return parsed;
        const jws = { ...parsed, counts: usage.firstLook(request.headers) };
        // A URL never loaded is fetched by the first delivery that needs it (if the limit allows).
        if (keySet === undefined && (inflight !== undefined || refreshAllowed())) await refresh();
        return await verifyLoaded(jws, request.body);
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

    keySet(): JwsKeySetView {
      const iso = (ms: number) => new Date(ms).toISOString();
      return {
        source: 'file' in options.jwks ? 'file' : 'url',
        keys: (keySet?.jwks ?? []).map((jwk) => ({ kid: jwk.kid ?? null, alg: algOf(jwk), kty: jwk.kty })),
        lastFetch: lastFetch && { at: iso(lastFetch.at), ok: lastFetch.ok, ...(lastFetch.error === undefined ? {} : { error: lastFetch.error }) },
        nextRefreshAt: closed || lastAttempt === undefined ? null : iso(lastAttempt + refreshMinMs),
        ...usage.view(),
      };
    },
  };
}

/** jose verifies; several candidate keys (no kid, or a kid used twice) are each tried. */
async function check(set: KeySet, jws: ParsedJws, body: Buffer, usage: KeyUsage): Promise<SignatureCheck> {
  const input: FlattenedJWSInput = { protected: jws.protectedB64, payload: jws.b64 ? body.toString('base64url') : body, signature: jws.signatureB64 };
  const options = { algorithms: [jws.alg] };
  const { calculateJwkThumbprint, errors, exportJWK, flattenedVerify } = await loadJose();
  let key: CryptoKey | undefined;
  try {
    key = (await flattenedVerify(input, set.getKey, options)).key;
  } catch (error) {
    if (error instanceof errors.JWKSMultipleMatchingKeys) {
      for await (const candidate of error) {
        if (await flattenedVerify(input, candidate, options).then(() => true, () => false)) {
          key = candidate;
          break;
        }
      }
    }
  }
  if (key === undefined) {
    const which = jws.kid === undefined ? `any ${jws.alg} key of the JWKS` : `key ${quote(jws.kid)}`;
    return fail('signature_invalid', `${jws.alg} signature does not verify with ${which}`);
  }
  // A kid-less key is named by its RFC 7638 thumbprint, so the delivery log always says which key verified.
  const secretId = jws.kid ?? `jkt:${await calculateJwkThumbprint(await exportJWK(key))}`;
  if (jws.counts === true) usage.verifiedBy(secretId);
  // Re-encoding gives one spelling per signature so the replay cache cannot be dodged by base64 variants.
  const signature = jws.signature.toString('base64url');
  return jws.iat === undefined ? { ok: true, secretId, signature } : { ok: true, secretId, signature, signedAt: jws.iat };
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

function parseJws(raw: string | undefined, header: string, allowed: ReadonlySet<string>, requireIat: boolean): ParsedJws | Failure {
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
  // Without a signed time a captured JWS stays valid forever: once its id leaves the dedupe window it replays.
  if (iat === undefined && requireIat) return fail('signature_malformed', 'JWS protected header has no iat (jws.requireIat is on)');

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
    signatureB64,
    alg: alg as JwsAlgorithm,
    kid: kid as string | undefined,
    b64: b64 !== false,
    iat: iat as number | undefined,
    signature,
  };
}


function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
