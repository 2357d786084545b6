import type Database from 'better-sqlite3';
import type { ReceiverConfig } from '../../shared/contract/receiver-config.js';
import type { RateLimiter } from '../pipeline/rate-limiter.js';
import { TokenBuckets } from '../pipeline/token-buckets.js';
import type { DeliverySink } from '../sinks/delivery-sink.js';
import type { ReconcileResult } from './redis/fleet-reconcile.js';
import type { RedisHealth } from './redis/redis-target.js';
import { LocalReplayCache } from './dedupe/local-replay-cache.js';
import type { ReplayCache } from './replay-cache.js';
import { SqliteStateStore } from './sqlite/sqlite-state-store.js';
import type { StateStore } from './state-store.js';

/** What a node shares with the rest of its fleet: in Redis when `redis` is set, else in its own SQLite file and memory. */
export interface SharedState {
  readonly replayCache: ReplayCache;
  readonly rateLimiter: RateLimiter;
  readonly stateStore: StateStore;
  /** The Redis Stream sink, when the fleet's downstream is its Redis Streams. */
  readonly streamSink: DeliverySink | undefined;
  readonly redisHealth: (() => RedisHealth) | undefined;
  /** The single node's in-memory replay index (loaded from the log at start); none in a fleet. */
  readonly replayIndex: LocalReplayCache | undefined;
  /**
   * A fleet node settles the claims of its last commits before it takes traffic (fleet-reconcile.ts);
   * `supersede` marks this node's copies that another node accepted first. Nothing to do on a single node.
   */
  reconcile(supersede: (seqs: readonly number[]) => Promise<number>): Promise<ReconcileResult | undefined>;
  close(): Promise<void>;
}

/** Resolves once Redis (when configured) answers: a fleet node that cannot reach its fleet's state does not start. */
export async function openSharedState(config: ReceiverConfig, nodeId: string, db: Database.Database, now: () => number): Promise<SharedState> {
  if (!config.redis) {
    const replayIndex = new LocalReplayCache(config.storage.dedupeIndexMaxKeys);
    return {
      replayCache: replayIndex,
      replayIndex,
      rateLimiter: new TokenBuckets(),
      stateStore: new SqliteStateStore(db),
      streamSink: undefined,
      redisHealth: undefined,
      reconcile: () => Promise.resolve(undefined),
      close: () => Promise.resolve(),
    };
  }
  // Loaded only here: a single node never pays for the Redis client's modules at start-up.
  const { openFleetState } = await import('./redis/fleet-state.js');
  return openFleetState(config.redis, config.downstream, nodeId, db, now);
}
