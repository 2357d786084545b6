import { createPublicKey } from 'node:crypto';
import type { JsonWebKey } from 'node:crypto';
import type { CryptoKey, FlattenedVerifyGetKey, JWK } from 'jose';
import { loadJose } from './load-jose.js';

export type JwsAlgorithm = 'ES256' | 'RS256' | 'EdDSA';

const MAX_JWKS_BYTES = 1024 * 1024;
const FETCH_TIMEOUT_MS = 10_000;
const MIN_RSA_BITS = 2048;

/** The JWKS as loaded: only usable public keys, handed to jose's local key set, which picks and imports them. */
export interface KeySet {
  readonly jwks: readonly UsableJwk[];
  readonly getKey: FlattenedVerifyGetKey<CryptoKey>;
}

export interface UsableJwk extends JWK {
  readonly kty: string;
  readonly kid?: string;
}

/** The algorithm each usable key serves; the header's `alg` must match it for the key to be a candidate. */
export function algOf(jwk: UsableJwk): JwsAlgorithm {
  return jwk.kty === 'RSA' ? 'RS256' : jwk.kty === 'EC' ? 'ES256' : 'EdDSA';
}

export function parseJwks(text: string, source: string, allowed: ReadonlySet<string>): KeySet {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error(`${source} is not JSON`);
  }
  const keys = typeof doc === 'object' && doc !== null ? (doc as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(keys)) throw new Error(`${source} has no "keys" array`);
  const jwks = keys.map((entry) => usableJwk(entry, allowed)).filter((jwk) => jwk !== undefined);
  if (jwks.length === 0) throw new Error(`${source} has no usable signing key for ${[...allowed].join(', ')}`);
  return { jwks, getKey: localKeySet(jwks) };
}

/** jose's local key set over `jwks`, made once jose is loaded (at the first verification). */
function localKeySet(jwks: readonly UsableJwk[]): FlattenedVerifyGetKey<CryptoKey> {
  let made: FlattenedVerifyGetKey<CryptoKey> | undefined;
  return async (header, token) => {
    made ??= (await loadJose()).createLocalJWKSet({ keys: [...jwks] });
    return made(header, token);
  };
}

/**
 * The public members of a JWKS entry that can serve an allowed algorithm, or undefined. Others are skipped
 * rather than fatal: a shared JWKS may hold other kinds. Only public members are kept, so a private JWK
 * published by mistake never yields a private key; RSA keys below 2048 bits are dropped.
 */
function usableJwk(entry: unknown, allowed: ReadonlySet<string>): UsableJwk | undefined {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return undefined;
  const jwk = entry as Record<string, unknown>;
  if (jwk['use'] !== undefined && jwk['use'] !== 'sig') return undefined;
  const ops = jwk['key_ops'];
  if (ops !== undefined && !(Array.isArray(ops) && ops.includes('verify'))) return undefined;
  let alg: JwsAlgorithm;
  let members: string[];
  if (jwk['kty'] === 'EC' && jwk['crv'] === 'P-256') {
    alg = 'ES256';
    members = ['crv', 'kty', 'x', 'y'];
  } else if (jwk['kty'] === 'RSA') {
    alg = 'RS256';
    members = ['e', 'kty', 'n'];
  } else if (jwk['kty'] === 'OKP' && jwk['crv'] === 'Ed25519') {
    alg = 'EdDSA';
    members = ['crv', 'kty', 'x'];
  } else {
    return undefined;
  }
  if (!allowed.has(alg)) return undefined;
  // RFC 9864 names Ed25519 keys' algorithm 'Ed25519'; both spellings mean the same verification here.
  const jwkAlg = jwk['alg'];
  if (jwkAlg !== undefined && jwkAlg !== alg && !(alg === 'EdDSA' && jwkAlg === 'Ed25519')) return undefined;
  const publicJwk: Record<string, string> = {};
  for (const member of members) {
    const value = jwk[member];
    if (typeof value !== 'string') return undefined;
    publicJwk[member] = value;
  }
  // Imported once here only to refuse broken keys and short RSA moduli at load time, not at the first delivery.
  try {
    const key = createPublicKey({ key: publicJwk as JsonWebKey, format: 'jwk' });
    if (alg === 'RS256' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) return undefined;
  } catch {
    return undefined;
  }
  const kid = typeof jwk['kid'] === 'string' && jwk['kid'] !== '' ? jwk['kid'] : undefined;
  return { ...(publicJwk as { kty: string }), ...(kid === undefined ? {} : { kid }) };
}

export function parseJwksUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error('jws: jwks.url is not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('jws: jwks.url must be http or https');
  return url;
}

/** The JWKS document, read with a time limit and a size cap (the body is read in pieces and cut at the cap). */
export async function fetchJwks(doFetch: typeof fetch, url: URL, closing: AbortSignal): Promise<string> {
  const response = await doFetch(url, {
    headers: { accept: 'application/jwk-set+json, application/json' },
    signal: AbortSignal.any([closing, AbortSignal.timeout(FETCH_TIMEOUT_MS)]),
  });
  if (!response.ok) throw new Error(`JWKS URL answered HTTP ${response.status}`);
  const tooBig = new Error('JWKS URL answered more than 1 MiB');
  if (Number(response.headers.get('content-length') ?? '0') > MAX_JWKS_BYTES) throw tooBig;
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  // Leaving the loop early cancels the body: the rest is never downloaded.
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > MAX_JWKS_BYTES) break;
    chunks.push(chunk);
  }
  if (size > MAX_JWKS_BYTES) throw tooBig;
  return Buffer.concat(chunks).toString('utf8');
}

