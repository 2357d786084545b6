/**
 * The replay cache of a fleet: every node claims delivery ids and signatures in one Redis.
 *
 * Redis keys:
 *   `${keyPrefix}:replay:<replay key>`   string, value = a random token of the claim that set it,
 *                                        expiry = the key's window (PX), e.g. `pay|id|evt_1`, `pay|sig|<signature>`
 *
 * A claim sets all of a delivery's keys or none (one Lua script, so two nodes racing for the same
 * key cannot both win). `settle(keys, false)` deletes what this claim set, and only while the value
 * is still its token, so a later claim by someone else is never undone. A claim or release whose
 * outcome is unknown (Redis went away mid-command) is released again in the background until it
 * succeeds or the keys expire: a key left behind would make the sender's retry look like a
 * duplicate of a delivery that was never stored, and the delivery would be lost.
 */
import { randomBytes } from 'node:crypto';
import type { ReplayKey } from '../delivery-record.js';
import type { ReplayCache } from '../replay-cache.js';
import { LuaScript } from './lua-script.js';
import type { RedisConnection } from './redis-connection.js';

/** KEYS: the replay keys; ARGV[1]: token, ARGV[1 + i]: time to live of KEYS[i] in ms. Returns 0, or the index of the first key present. */
const CLAIM = new LuaScript(`
for i, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then return i end
end
for i, key in ipairs(KEYS) do
  redis.call('SET', key, ARGV[1], 'PX', ARGV[i + 1])
end
return 0
`);

/** KEYS: replay keys; ARGV[i]: the token that KEYS[i] must still hold to be deleted. */
const RELEASE = new LuaScript(`
local released = 0
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[i] then
    redis.call('DEL', key)
    released = released + 1
  end
end
return released
`);

interface Claimed {
  readonly token: string;
  readonly expiresAt: number;
}

interface PendingRelease {
  readonly keys: readonly string[];
  readonly tokens: readonly string[];
  /** After this the keys have expired by themselves. */
  readonly until: number;
}

const RETRY_MS = 250;
const MAX_PENDING_RELEASES = 10_000;
const SWEEP_EVERY_MS = 60_000;

export class RedisReplayCache implements ReplayCache {
  /** This node's claims that are not settled yet, by replay key: what `settle(…, false)` may delete. */
  private readonly claimed = new Map<string, Claimed>();
  private readonly pending: PendingRelease[] = [];
  private retryTimer: NodeJS.Timeout | undefined;
  private lastSweep = 0;
  private closed = false;

  constructor(
    private readonly connection: RedisConnection,
    private readonly keyPrefix: string,
    private readonly clock: () => number = Date.now,
  ) {}

  async claim(keys: readonly ReplayKey[], now: number): Promise<{ result: 'new' } | { result: 'seen'; key: ReplayKey }> {
    this.sweep(now);
    if (keys.length === 0) return { result: 'new' };
    const token = randomBytes(12).toString('base64url');
    const redisKeys = keys.map((key) => this.redisKey(key.key));
    // Relative to the node's receipt time, so a skewed Redis clock does not shorten the window.
    const ttls = keys.map((key) => Math.max(1, Math.ceil(key.expiresAt - now)));
    let seenAt: number;
    try {
      seenAt = Number(await this.connection.run((client) => CLAIM.run(client, redisKeys, [token, ...ttls])));
    } catch (error) {
      this.releaseLater(redisKeys, redisKeys.map(() => token), Math.max(...keys.map((key) => key.expiresAt)));
      throw error;
    }
    if (seenAt > 0) {
      const key = keys[seenAt - 1];
      if (!key) throw new Error(`replay claim script answered an index out of range: ${seenAt}`);
      return { result: 'seen', key };
    }
    for (const key of keys) this.claimed.set(key.key, { token, expiresAt: key.expiresAt });
    return { result: 'new' };
  }

  async settle(keys: readonly ReplayKey[], stored: boolean): Promise<void> {
    const mine: { key: string; claimed: Claimed }[] = [];
    for (const key of keys) {
      const claimed = this.claimed.get(key.key);
      if (!claimed) continue;
      this.claimed.delete(key.key);
      mine.push({ key: this.redisKey(key.key), claimed });
    }
    // Stored: the keys stay until their window ends; nothing to do in Redis.
    if (stored || mine.length === 0) return;
    const redisKeys = mine.map((entry) => entry.key);
    const tokens = mine.map((entry) => entry.claimed.token);
    try {
      await this.connection.run((client) => RELEASE.run(client, redisKeys, tokens));
    } catch (error) {
      this.releaseLater(redisKeys, tokens, Math.max(...mine.map((entry) => entry.claimed.expiresAt)));
      throw error;
    }
  }

  /** Stops background releases; the connection itself belongs to whoever created it. */
  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.pending.length = 0;
  }

  /** Releases still waiting for Redis (for health output and tests). */
  get pendingReleases(): number {
    return this.pending.length;
  }

  private redisKey(key: string): string {
    return `${this.keyPrefix}:replay:${key}`;
  }

  private releaseLater(keys: readonly string[], tokens: readonly string[], until: number): void {
    if (this.closed) return;
    // Beyond the cap the oldest is dropped: its keys still expire by themselves.
    if (this.pending.length >= MAX_PENDING_RELEASES) this.pending.shift();
    this.pending.push({ keys, tokens, until });
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.closed || this.pending.length === 0) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.retryReleases();
    }, RETRY_MS);
    this.retryTimer.unref();
  }

  private async retryReleases(): Promise<void> {
    const now = this.clock();
    for (let next = this.pending[0]; next && !this.closed; next = this.pending[0]) {
      if (next.until > now) {
        try {
          await this.connection.run((client) => RELEASE.run(client, next.keys, next.tokens));
        } catch {
          break; // Still unreachable: try again later, in the same order.
        }
      }
      this.pending.shift();
    }
    this.scheduleRetry();
  }

  /** Forgets claims that were never settled (a caller that failed in between) once their keys expired. */
  private sweep(now: number): void {
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    for (const [key, claimed] of this.claimed) if (claimed.expiresAt <= now) this.claimed.delete(key);
  }
}
