import type Database from 'better-sqlite3';
import type { ReceiverConfig } from '../../../shared/contract/receiver-config.js';
import type { SharedState } from '../shared-state.js';
import { reconcileRecentCommits } from './fleet-reconcile.js';
import { createRedisConnection } from './redis-connection.js';
import { RedisRateLimiter } from './redis-rate-limiter.js';
import { DEFAULT_LEASE_MS, RedisReplayCache } from './redis-replay-cache.js';
import { RedisStateStore } from './redis-state-store.js';
import { RedisStreamSink } from './redis-stream-sink.js';
import { describeRedisTarget, redisTarget } from './redis-target.js';

const STARTUP_TIMEOUT_MS = 5_000;

/** A fleet node's shared state, all in its fleet's Redis; resolves once Redis answers. */
export async function openFleetState(
  redis: NonNullable<ReceiverConfig['redis']>,
  configuredDownstream: ReceiverConfig['downstream'],
  nodeId: string,
  db: Database.Database,
  now: () => number,
): Promise<SharedState> {
  const { keyPrefix } = redis;
  const target = redisTarget(redis);
  const connection = createRedisConnection(target);
  try {
    await connection.ready(STARTUP_TIMEOUT_MS);
  } catch (error) {
    await connection.close();
    throw new Error(`Redis ${describeRedisTarget(target)} is unreachable: ${connection.redact(error)}`);
  }
  const replayCache = new RedisReplayCache(connection, keyPrefix, nodeId, { clock: now });
  const stateStore = new RedisStateStore(connection, keyPrefix);
  const downstream = configuredDownstream ?? { type: 'redis-stream', maxLen: 1_000_000 };
  return {
    replayCache,
    rateLimiter: new RedisRateLimiter(connection, keyPrefix),
    stateStore,
    streamSink: downstream.type === 'redis-stream' ? new RedisStreamSink(connection, { keyPrefix, maxLen: downstream.maxLen }) : undefined,
    redisHealth: () => connection.health(),
    replayIndex: undefined,
    reconcile: (supersede) => reconcileRecentCommits({ db, connection, keyPrefix, nodeId, leaseMs: DEFAULT_LEASE_MS, now, supersede }),
    async close() {
      replayCache.close();
      await stateStore.close();
      await connection.close();
    },
  };
}
