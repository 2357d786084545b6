/**
 * Runtime state (kill switches, secrets) of a fleet, in Redis so that every node applies a change.
 *
 * Redis keys:
 *   `${keyPrefix}:state:<integrationId>`   hash { version: decimal integer, sealed: the sealed state, raw bytes }
 *   `${keyPrefix}:state-index`             set of the integration ids that have a state key (for loadAll, no SCAN)
 * Pub/sub channel:
 *   `${keyPrefix}:state-changed`           message = the integration id, published by the same script that wrote
 *
 * `watch` listens on a separate subscriber connection. Messages published while that connection is
 * down are lost, so after every (re)subscription — the first one included, which closes the gap
 * between a caller's loadAll and the subscription — listeners get the sentinel `'*'`: "anything
 * may have changed, reload every integration".
 */
import type { Redis } from 'ioredis';
import type { SealedState, StateStore } from '../state-store.js';
import { LuaScript } from './lua-script.js';
import { closeClient, type RedisConnection } from './redis-connection.js';

/** The integration id listeners get when every integration must be reloaded. */
export const ALL_INTEGRATIONS = '*';

/**
 * KEYS[1]: state hash, KEYS[2]: index set; ARGV: expected version, new version, sealed bytes, channel, integration id.
 * Writing and publishing in one script: a node dying in between cannot leave a change unannounced.
 */
const COMPARE_AND_SET = new LuaScript(`
local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if current ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'version', ARGV[2], 'sealed', ARGV[3])
redis.call('SADD', KEYS[2], ARGV[5])
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 1
`);

export class RedisStateStore implements StateStore {
  private readonly listeners = new Set<(integrationId: string) => void>();
  private subscriber: Redis | undefined;
  private readonly channel: string;

  constructor(
    private readonly connection: RedisConnection,
    private readonly keyPrefix: string,
  ) {
    this.channel = `${keyPrefix}:state-changed`;
  }

  async loadAll(): Promise<Map<string, SealedState>> {
    const ids = await this.connection.run((client) => client.smembers(this.indexKey()));
    const states = await Promise.all(ids.map(async (id) => [id, await this.load(id)] as const));
    const all = new Map<string, SealedState>();
    for (const [id, state] of states) if (state) all.set(id, state);
    return all;
  }

  async load(integrationId: string): Promise<SealedState | undefined> {
    const [version, sealed] = await this.connection.run((client) => client.hmgetBuffer(this.stateKey(integrationId), 'version', 'sealed'));
    if (!version || !sealed) return undefined;
    const parsed = Number(version.toString('latin1'));
    if (!Number.isSafeInteger(parsed)) throw new Error(`stored state of "${integrationId}" has an invalid version`);
    return { version: parsed, sealed };
  }

  async compareAndSet(integrationId: string, expectedVersion: number, next: SealedState): Promise<boolean> {
    const stored = await this.connection.run((client) =>
      COMPARE_AND_SET.run(client, [this.stateKey(integrationId), this.indexKey()], [expectedVersion, next.version, next.sealed, this.channel, integrationId]),
    );
    // This node hears its own publish too, as every other node does; refreshing twice is harmless.
    return Number(stored) === 1;
  }

  watch(onChange: (integrationId: string) => void): () => void {
    this.listeners.add(onChange);
    this.subscriber ??= this.subscribe();
    return () => {
      this.listeners.delete(onChange);
      if (this.listeners.size === 0) void this.unsubscribe();
    };
  }

  /** Closes the subscriber only: the command connection belongs to whoever created it. */
  async close(): Promise<void> {
    this.listeners.clear();
    await this.unsubscribe();
  }

  private stateKey(integrationId: string): string {
    return `${this.keyPrefix}:state:${integrationId}`;
  }

  private indexKey(): string {
    return `${this.keyPrefix}:state-index`;
  }

  private subscribe(): Redis {
    // Subscribing by hand on every 'ready' (not ioredis' autoResubscribe) tells us when the subscription is live again.
    const subscriber = this.connection.duplicate({ autoResubscribe: false });
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.emit(message);
    });
    subscriber.on('ready', () => {
      subscriber.subscribe(this.channel).then(
        () => this.emit(ALL_INTEGRATIONS),
        // Connected but not subscribed would be deaf for good: start over with a fresh connection.
        () => subscriber.status === 'ready' && subscriber.disconnect(true),
      );
    });
    return subscriber;
  }

  private async unsubscribe(): Promise<void> {
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (subscriber) await closeClient(subscriber);
  }

  private emit(integrationId: string): void {
    for (const listener of this.listeners) {
      try {
        listener(integrationId);
      } catch {
        // One failing listener must not keep the others from hearing about the change.
      }
    }
  }
}
