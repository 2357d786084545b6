/** One replay key of a delivery: a fixed-size digest (see replayDigest) and the end of its window. */
export interface ReplayKey {
  readonly kind: 'id' | 'sig';
  readonly digest: Buffer;
  readonly expiresAt: number;
}

/**
 * What a claim found. Only `duplicate` may be answered 200: it met a claim whose delivery is
 * durable. `pending` met a claim of a delivery still on its way to the store (or of a node that
 * died before storing it), and `unavailable` means the cache cannot tell yet: both answer 503 +
 * Retry-After, so the sender's retry is judged again once the first attempt is settled.
 */
export type ClaimResult =
  | { readonly result: 'new' }
  | { readonly result: 'duplicate'; readonly key: ReplayKey }
  | { readonly result: 'pending'; readonly key: ReplayKey }
  | { readonly result: 'unavailable'; readonly detail: string };

/**
 * Two-state claims over delivery ids and signatures, the same rule on a single node and in a fleet:
 * claim (a lease that dies with the node that took it) → durable commit → `commit` extends the keys
 * to their full window. `release` gives a claim up when its delivery was not stored.
 */
export interface ReplayCache {
  /** Whether a delivery's keys must be stored with it: the single node rebuilds its cache from the log, a fleet's lives in Redis. */
  readonly durableKeys: boolean;
  /** Claims every key or none. A cache that can answer at once (the single node's, once loaded) returns the result itself. */
  claim(keys: readonly ReplayKey[], now: number): ClaimResult | Promise<ClaimResult>;
  /** The delivery `requestId` is durable: the keys now hold for their window. Undefined when that is done at once. */
  commit(keys: readonly ReplayKey[], now: number, requestId: string): Promise<void> | undefined;
  release(keys: readonly ReplayKey[]): Promise<void>;
}
