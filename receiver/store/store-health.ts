import { errorText, type Logger } from '../observability/logger.js';
import { RedisOperationError, type RedisHealth } from './redis/redis-target.js';

export interface HealthState {
  readonly ready: boolean;
  /** `ok`, or why the store takes no deliveries. */
  readonly store: string;
  readonly redis?: 'ok' | 'unreachable';
}

export interface StoreHealthOptions {
  readonly writer: { stalledMs(): number; readonly backlog: number };
  /** A commit running longer than this is stuck (a frozen or failing disk). */
  readonly stallMs: number;
  readonly maxBacklog: number;
  readonly redis: (() => RedisHealth) | undefined;
  readonly logger: Logger;
}

/**
 * Whether the node's stores take deliveries, and the log lines of their outages: one line when a
 * store starts failing and one when it recovers, never one per rejected request. Redis is named
 * as Redis, so an operator does not go looking at the disk.
 */
export class StoreHealth {
  private storeError: string | undefined;
  private redisDown: string | undefined;

  constructor(private readonly options: StoreHealthOptions) {}

  succeeded(): void {
    if (this.storeError === undefined) return;
    this.storeError = undefined;
    this.options.logger.info('store writes succeed again');
  }

  failed(error: unknown): void {
    if (error instanceof RedisOperationError) {
      this.redisState();
      return;
    }
    if (this.storeError !== undefined) return;
    this.storeError = errorText(error);
    this.options.logger.error('store write failed', { error: this.storeError });
  }

  /** Why new deliveries are refused now: a stuck commit or a full queue; undefined when they are taken. */
  refusal(): string | undefined {
    const { writer, stallMs, maxBacklog } = this.options;
    const stalled = writer.stalledMs();
    if (stalled > stallMs) return `a commit has been running for ${Math.round(stalled / 1000)} s (storage.commitStallSeconds is ${stallMs / 1000})`;
    if (writer.backlog > maxBacklog) return `${writer.backlog} deliveries are waiting for the store`;
    return undefined;
  }

  state(): HealthState {
    const redis = this.redisState();
    const refusal = this.refusal();
    const store = refusal ?? (this.storeError === undefined ? 'ok' : `failing: ${this.storeError}`);
    return { ready: store === 'ok' && redis !== 'unreachable', store, ...(redis ? { redis } : {}) };
  }

  private redisState(): 'ok' | 'unreachable' | undefined {
    const health = this.options.redis?.();
    if (!health) return undefined;
    if (!health.ok && this.redisDown === undefined) {
      this.redisDown = health.detail ?? 'unreachable';
      this.options.logger.error('Redis unreachable: deliveries get 503 until it answers', { error: this.redisDown });
    } else if (health.ok && this.redisDown !== undefined) {
      this.redisDown = undefined;
      this.options.logger.info('Redis reachable again');
    }
    return health.ok ? 'ok' : 'unreachable';
  }
}
