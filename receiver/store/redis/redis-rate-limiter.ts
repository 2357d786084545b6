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
 * then agree on one bucket, and the caller's `now` is not used. The takes of one event-loop turn go
 * in one script (one round trip, one append-only-file write), taken in order: the same tokens are
 * granted as by one script each, so a bucket stays exact across the fleet.
 */
import type { RateLimiter } from '../../pipeline/rate-limiter.js';
import type { BucketLimit } from '../../pipeline/token-buckets.js';
import { LuaScript } from './lua-script.js';
import type { RedisConnection } from './redis-connection.js';
import { TurnBatch } from './turn-batch.js';

/**
 * KEYS: the bucket of each take (a bucket may come more than once); ARGV, two per take: tokens per
 * second, burst. Returns one integer per take: 0 when a token was taken, else Retry-After seconds.
 */
const TAKE = new LuaScript(`
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local waits = {}
for i, key in ipairs(KEYS) do
  local rate = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  local bucket = redis.call('HMGET', key, 'tokens', 'ts')
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
  redis.call('HSET', key, 'tokens', tostring(tokens), 'ts', tostring(now))
  redis.call('PEXPIRE', key, math.ceil(burst / rate * 1000) + 1000)
  waits[i] = wait
end
return waits
`);

interface Take {
  readonly key: string;
  readonly limit: BucketLimit;
}

/** Takes per script: bounds one script's time in Redis. */
const MAX_BATCH = 256;

export class RedisRateLimiter implements RateLimiter {
  private readonly takes = new TurnBatch<Take, number>((batch) => this.takeBatch(batch), MAX_BATCH);

  constructor(
    private readonly connection: RedisConnection,
    private readonly keyPrefix: string,
  ) {}

  /** Resolves to 0 when allowed, else the Retry-After seconds; rejects while Redis is unreachable (the ingress fails closed). */
  take(key: string, limit: BucketLimit, _now: number): Promise<number> {
    return this.takes.add({ key: `${this.keyPrefix}:rate:${key}`, limit });
  }

  private async takeBatch(batch: readonly Take[]): Promise<readonly number[]> {
    const keys = batch.map((take) => take.key);
    const args = batch.flatMap((take) => [take.limit.perSecond, take.limit.burst]);
    const reply = await this.connection.run((client) => TAKE.run(client, keys, args));
    if (!Array.isArray(reply)) throw new Error('unexpected reply from the rate limit script');
    return reply.map(Number);
  }
}
