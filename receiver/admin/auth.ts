import { createHash, timingSafeEqual } from 'node:crypto';
import { TOKEN_SCOPES, type TokenScope } from '../../shared/contract/admin-api.js';

export interface AdminToken {
  readonly name: string;
  /** Hex sha256 of the token; the token itself is never held by the node. */
  readonly sha256: string;
  readonly scope: TokenScope;
}

export type Authentication =
  | { readonly ok: true; readonly token: { readonly name: string; readonly scope: TokenScope } }
  | { readonly ok: false; readonly status: 401; readonly problem: string }
  | { readonly ok: false; readonly status: 429; readonly retryAfterSeconds: number };

/** Scopes are ordered: each one grants everything the ones before it grant. */
export function scopeAllows(granted: TokenScope, required: TokenScope): boolean {
  return TOKEN_SCOPES.indexOf(granted) >= TOKEN_SCOPES.indexOf(required);
}

export function tokenDigest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * Index of the digest in `known`, or -1. Every entry is compared, in constant time, whether or
 * not an earlier one matched: how long this takes says nothing about which token, if any, matched.
 * Digests all have the same length, so the length check leaks nothing.
 */
export function matchDigest(digest: Buffer, known: readonly Buffer[]): number {
  let found = -1;
  for (let index = 0; index < known.length; index++) {
    const candidate = known[index] as Buffer;
    const equal = candidate.length === digest.length && timingSafeEqual(candidate, digest);
    // Branch-free select: the same work on a match and on a miss.
    found = equal && found < 0 ? index : found;
  }
  return found;
}

export interface FailureLimit {
  /** Failures a source may make in a row before it is throttled. */
  readonly burst: number;
  /** Failures a source gets back per minute. */
  readonly perMinute: number;
}

export const DEFAULT_FAILURE_LIMIT: FailureLimit = { burst: 10, perMinute: 10 };
/** Bounded so that a flood of source addresses cannot grow memory: the stalest entry is forgotten first. */
const MAX_TRACKED_SOURCES = 10_000;

/**
 * Token buckets of failed authentications per source address. Only failures take a token, so a
 * correct client is never throttled by its own traffic; a guessing one is slowed to `perMinute`.
 */
export class FailureThrottle {
  private readonly buckets = new Map<string, { tokens: number; updatedAt: number }>();

  constructor(private readonly limit: FailureLimit = DEFAULT_FAILURE_LIMIT) {}

  /** 0 when the source may try, else the seconds until it may. */
  retryAfter(source: string, now: number): number {
    const bucket = this.refill(source, now);
    if (!bucket || bucket.tokens >= 1) return 0;
    return Math.max(1, Math.ceil(((1 - bucket.tokens) * 60) / this.limit.perMinute));
  }

  recordFailure(source: string, now: number): void {
    const bucket = this.refill(source, now) ?? { tokens: this.limit.burst, updatedAt: now };
    bucket.tokens = Math.max(0, bucket.tokens - 1);
    this.buckets.delete(source);
    if (this.buckets.size >= MAX_TRACKED_SOURCES) {
      const stalest = this.buckets.keys().next().value;
      if (stalest !== undefined) this.buckets.delete(stalest);
    }
    this.buckets.set(source, bucket);
  }

  private refill(source: string, now: number): { tokens: number; updatedAt: number } | undefined {
    const bucket = this.buckets.get(source);
    if (!bucket) return undefined;
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + ((now - bucket.updatedAt) / 60_000) * this.limit.perMinute);
    bucket.updatedAt = now;
    if (bucket.tokens >= this.limit.burst) this.buckets.delete(source);
    return bucket;
  }
}

/** Bearer tokens of the admin API: known by their sha256 only, matched in constant time, guessing throttled. */
export class AdminAuth {
  private readonly digests: Buffer[];
  private readonly throttle: FailureThrottle;

  constructor(
    private readonly tokens: readonly AdminToken[],
    limit: FailureLimit = DEFAULT_FAILURE_LIMIT,
  ) {
    this.digests = tokens.map((token) => Buffer.from(token.sha256.toLowerCase(), 'hex'));
    this.throttle = new FailureThrottle(limit);
  }

  authenticate(authorization: string | undefined, source: string, now: number): Authentication {
    // A throttled source is refused before its token is looked at: guessing gains nothing while it waits.
    const wait = this.throttle.retryAfter(source, now);
    if (wait > 0) return { ok: false, status: 429, retryAfterSeconds: wait };
    const presented = bearerToken(authorization);
    if (presented.problem !== undefined) {
      this.throttle.recordFailure(source, now);
      return { ok: false, status: 401, problem: presented.problem };
    }
    const index = matchDigest(tokenDigest(presented.token), this.digests);
    const token = this.tokens[index];
    if (!token) {
      this.throttle.recordFailure(source, now);
      return { ok: false, status: 401, problem: 'unknown token' };
    }
    return { ok: true, token: { name: token.name, scope: token.scope } };
  }
}

function bearerToken(header: string | undefined): { token: string; problem?: undefined } | { problem: string } {
  if (header === undefined || header === '') return { problem: 'no bearer token' };
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) return { problem: 'malformed authorization header' };
  return { token: match[1] };
}
