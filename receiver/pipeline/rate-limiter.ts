import type { BucketLimit } from './token-buckets.js';

/** One bucket check; async so that fleet mode can keep the buckets in Redis. Resolves to Retry-After seconds, 0 if allowed. */
export interface RateLimiter {
  take(key: string, limit: BucketLimit, now: number): number | Promise<number>;
}
