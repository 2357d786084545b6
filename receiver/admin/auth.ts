import { createHash, timingSafeEqual } from 'node:crypto';
import { TOKEN_SCOPES, type TokenScope } from '../../shared/contract/admin-api.js';

export interface AdminToken {
  readonly name: string;
  /** Hex sha256 of the token; the token itself is never held by the node. */
  readonly sha256: string;
  readonly scope: TokenScope;
  /** May read raw captured payloads (on top of `read`). */
  readonly payloads?: boolean;
}

export interface AuthenticatedToken {
  readonly name: string;
  readonly scope: TokenScope;
  readonly payloads: boolean;
}

export type Authentication =
  | { readonly ok: true; readonly token: AuthenticatedToken }
  | { readonly ok: false; readonly status: 401; readonly problem: string }
  | { readonly ok: false; readonly status: 429; readonly retryAfterSeconds: number; readonly problem: string };

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

export interface FailureLimits {
  readonly perSource: FailureLimit;
  /** All sources together: guessing spread over thousands of addresses. */
  readonly global: FailureLimit;
}

export const DEFAULT_FAILURE_LIMITS: FailureLimits = { perSource: { burst: 10, perMinute: 10 }, global: { burst: 200, perMinute: 300 } };
/** Bounded so that a flood of source addresses cannot grow memory: the stalest entry is forgotten first. */
const MAX_TRACKED_SOURCES = 10_000;
/** While the global budget is spent, a source that presented a valid token this recently is still heard. */
const KNOWN_SOURCE_MS = 3_600_000;

/**
 * Token buckets of failed authentications per source address. Only failures take a token, so a
 * correct client is never throttled by its own traffic; a guessing one is slowed to `perMinute`.
 */
export class FailureThrottle {
  private readonly buckets = new Map<string, { tokens: number; updatedAt: number }>();

  constructor(private readonly limit: FailureLimit) {}

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

/**
 * Bearer tokens of the admin API: known by their sha256 only, matched in constant time, guessing
 * throttled per source and globally. While the global budget is spent, only sources that recently
 * presented a valid token have their token looked at: a distributed guesser gets no answers, and the
 * operator's console keeps working through the attack.
 */
export class AdminAuth {
  private readonly digests: Buffer[];
  private readonly perSource: FailureThrottle;
  private readonly global: FailureThrottle;
  private readonly knownSources = new Map<string, number>();

  constructor(
    private readonly tokens: readonly AdminToken[],
    limits: FailureLimits = DEFAULT_FAILURE_LIMITS,
  ) {
    this.digests = tokens.map((token) => Buffer.from(token.sha256.toLowerCase(), 'hex'));
    this.perSource = new FailureThrottle(limits.perSource);
    this.global = new FailureThrottle(limits.global);
  }

  authenticate(authorization: string | undefined, source: string, now: number): Authentication {
    // A throttled source is refused before its token is looked at: guessing gains nothing while it waits.
    const wait = this.perSource.retryAfter(source, now);
    if (wait > 0) return { ok: false, status: 429, retryAfterSeconds: wait, problem: 'too many failures from this address' };
    const globalWait = this.global.retryAfter(GLOBAL, now);
    if (globalWait > 0 && !this.isKnown(source, now)) {
      return { ok: false, status: 429, retryAfterSeconds: globalWait, problem: 'too many failures from all addresses' };
    }
    const presented = bearerToken(authorization);
    const index = presented.problem === undefined ? matchDigest(tokenDigest(presented.token), this.digests) : -1;
    const token = this.tokens[index];
    if (!token) {
      this.perSource.recordFailure(source, now);
      this.global.recordFailure(GLOBAL, now);
      return { ok: false, status: 401, problem: presented.problem ?? 'unknown token' };
    }
    this.remember(source, now);
    return { ok: true, token: { name: token.name, scope: token.scope, payloads: token.payloads === true } };
  }

  private isKnown(source: string, now: number): boolean {
    const seen = this.knownSources.get(source);
    return seen !== undefined && now - seen < KNOWN_SOURCE_MS;
  }

  private remember(source: string, now: number): void {
    this.knownSources.delete(source);
    if (this.knownSources.size >= MAX_TRACKED_SOURCES) {
      const stalest = this.knownSources.keys().next().value;
      if (stalest !== undefined) this.knownSources.delete(stalest);
    }
    this.knownSources.set(source, now);
  }
}

const GLOBAL = '*';

function bearerToken(header: string | undefined): { token: string; problem?: undefined } | { problem: string } {
  if (header === undefined || header === '') return { problem: 'no bearer token' };
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) return { problem: 'malformed authorization header' };
  return { token: match[1] };
}
