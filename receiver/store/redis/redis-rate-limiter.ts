/**
 * Token buckets shared by every node of a fleet.
 *
 * Redis keys:
 *   `${keyPrefix}:rate:<bucket key>`   hash { tokens: float, ts: unix ms of the last refill }, e.g.
 *                                      `hookwarden:rate:pay` or `hookwarden:rate:pay|203.0.113.9` (per source);
 *                                      expires once it would have refilled completely (burst / perSecond),
 *                                      since a missing bucket and a full one are the same.
 *
 * Refill and take happen in one Lua script, timed by Redis' own `TIME`: nodes with skewed clocks
 * then agree on one bucket, and the caller's `now` is not used.
 */
import type { RateLimiter } from '../../pipeline/rate-limiter.js';
import type { BucketLimit } from '../../pipeline/token-buckets.js';
import { LuaScript } from './lua-script.js';
import type { RedisConnection } from './redis-connection.js';

/** KEYS[1]: the bucket; ARGV[1]: tokens per second, ARGV[2]: burst. Returns 0 when a token was taken, else Retry-After seconds. */
const TAKE = new LuaScript(`
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(bucket[1])
local updated = tonumber(bucket[2])
if tokens == nil or updated == nil then
  tokens = burst
  updated = now
end
tokens = math.min(burst, tokens + math.max(0, now - updated) / 1000 * rate)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.max(1, math.ceil((1 - tokens) / rate))
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return wait
`);

export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly connection: RedisConnection,
    private readonly keyPrefix: string,
  ) {}

  /** Resolves to 0 when allowed, else the Retry-After seconds; rejects while Redis is unreachable (the ingress fails closed). */
  async take(key: string, limit: BucketLimit, _now: number): Promise<number> {
    const wait = await this.connection.run((client) => TAKE.run(client, [`${this.keyPrefix}:rate:${key}`], [limit.perSecond, limit.burst]));
    return Number(wait);
  }
}
