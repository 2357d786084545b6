import type Database from 'better-sqlite3';
import type { ReceiverConfig } from '../../shared/contract/receiver-config.js';
import type { RateLimiter } from '../pipeline/rate-limiter.js';
import { TokenBuckets } from '../pipeline/token-buckets.js';
import type { DeliverySink } from '../sinks/delivery-sink.js';
import { createRedisConnection, redactRedisUrl, type RedisHealth } from './redis/redis-connection.js';
import { RedisRateLimiter } from './redis/redis-rate-limiter.js';
import { RedisReplayCache } from './redis/redis-replay-cache.js';
import { RedisStateStore } from './redis/redis-state-store.js';
import { RedisStreamSink } from './redis/redis-stream-sink.js';
import { LocalReplayCache } from './dedupe/local-replay-cache.js';
import type { ReplayCache } from './replay-cache.js';
import { SqliteStateStore } from './sqlite/sqlite-state-store.js';
import type { StateStore } from './state-store.js';

const STARTUP_TIMEOUT_MS = 5_000;

/** What a node shares with the rest of its fleet: in Redis when `redis.url` is set, else in its own SQLite file and memory. */
export interface SharedState {
  readonly replayCache: ReplayCache;
  readonly rateLimiter: RateLimiter;
  readonly stateStore: StateStore;
  /** The Redis Stream sink, when the fleet's downstream is its Redis Streams. */
  readonly streamSink: DeliverySink | undefined;
  readonly redisHealth: (() => RedisHealth) | undefined;
  /** The single node's in-memory replay index (loaded from the log at start); none in a fleet. */
  readonly replayIndex: LocalReplayCache | undefined;
  close(): Promise<void>;
}

/** Resolves once Redis (when configured) answers: a fleet node that cannot reach its fleet's state does not start. */
export async function openSharedState(config: ReceiverConfig, db: Database.Database, now: () => number): Promise<SharedState> {
  if (!config.redis) {
    const replayIndex = new LocalReplayCache(config.storage.dedupeIndexMaxKeys);
    return {
      replayCache: replayIndex,
      replayIndex,
      rateLimiter: new TokenBuckets(),
      stateStore: new SqliteStateStore(db),
      streamSink: undefined,
      redisHealth: undefined,
      close: () => Promise.resolve(),
    };
  }
  const { keyPrefix } = config.redis;
  const connection = createRedisConnection(config.redis.url);
  try {
    await connection.ready(STARTUP_TIMEOUT_MS);
  } catch (error) {
    await connection.close();
    throw new Error(`Redis ${redactRedisUrl(config.redis.url)} is unreachable: ${connection.redact(error)}`);
  }
  const replayCache = new RedisReplayCache(connection, keyPrefix, { clock: now });
  const stateStore = new RedisStateStore(connection, keyPrefix);
  const downstream = config.downstream ?? { type: 'redis-stream', maxLen: 1_000_000 };
  return {
    replayCache,
    rateLimiter: new RedisRateLimiter(connection, keyPrefix),
    stateStore,
    streamSink: downstream.type === 'redis-stream' ? new RedisStreamSink(connection, { keyPrefix, maxLen: downstream.maxLen }) : undefined,
    redisHealth: () => connection.health(),
    replayIndex: undefined,
    async close() {
      replayCache.close();
      await stateStore.close();
      await connection.close();
    },
  };
}
