/**
 * The replay cache of a fleet: every node claims delivery ids and signatures in one Redis.
 *
 * Redis keys:
 *   `${keyPrefix}:replay:<digest>`   string; <digest> is the base64url of the key's 16-byte digest
 *                                    (replayDigest: integration, kind, value). Value:
 *                                      "p:<node>:<rand>.<n>"  pending: claim <n> of a <node> process (<rand> per
 *                                                         process), whose delivery is not durable yet;
 *                                                         expires after the lease (seconds)
 *                                      "c:<node>:<req>"   committed: delivery <req> is durable on <node>;
 *                                                         expires at the end of the key's window
 *                                    (values of older versions, a bare random token and "c", still work)
 *
 * Who holds a key is in its value so that a node restarted after a crash can settle the claims it
 * committed locally but never extended (see fleet-reconcile.ts). Node ids must be unique in a fleet.
 *
 * Two states, so a claim cannot outlive a node that never stored its delivery: a claim is a short
 * lease (`SET NX PX lease`, all keys of a delivery or none, in one script); only after the durable
 * commit does `commit` turn it into the full window. A retry that meets a pending claim is told
 * `pending` (503 + Retry-After: 1), never "duplicate"; if the claiming node died, the lease runs
 * out and the retry is accepted. `release` deletes what this claim set, and only while the value
 * is still its token. A commit or release whose outcome is unknown (Redis went away mid-command) is
 * retried in the background until it succeeds or the keys expire.
 *
 * Round trips: the claims made in one turn of the event loop go to Redis as one script, and so do the
 * commits (those of one durable commit batch arrive together): under load a delivery costs a fraction
 * of a round trip each way instead of two. Every claim of a batch still takes all its keys or none,
 * in order, exactly as separate scripts would.
 */
import { randomBytes } from 'node:crypto';
import type { ClaimResult, ReplayCache, ReplayKey } from '../replay-cache.js';
import { LuaScript } from './lua-script.js';
import { TurnBatch } from './turn-batch.js';
import type { RedisConnection } from './redis-connection.js';

/** Lua: whether a key's value is a committed one ("c" of older versions, or "c:<node>:<request>"). */
export const IS_COMMITTED_LUA = `local function committed(value) return value == 'c' or string.sub(value, 1, 2) == 'c:' end`;

/**
 * KEYS: the replay keys of every claim of a batch, one claim after the other. ARGV[1]: lease ms; then
 * per claim: its key count, its token. Returns one integer per claim: 0 when it took all its keys,
 * i when its i-th key is pending, -i when its i-th key is committed (and then it took none). Claims
 * run in order, so of two claims of one batch for the same key the second meets the first's lease.
 * A new delivery (the common case) costs one SET NX per key; a key already held is read, and the
 * keys this claim took before it are given back (the script is atomic: nobody saw them).
 */
const CLAIM = new LuaScript(`
${IS_COMMITTED_LUA}
local lease = ARGV[1]
local results = {}
local first = 1
for a = 2, #ARGV, 2 do
  local count = tonumber(ARGV[a])
  local found = 0
  for i = 0, count - 1 do
    if not redis.call('SET', KEYS[first + i], ARGV[a + 1], 'NX', 'PX', lease) then
      if committed(redis.call('GET', KEYS[first + i])) then found = -(i + 1) else found = i + 1 end
      for j = 0, i - 1 do redis.call('DEL', KEYS[first + j]) end
      break
    end
  end
  results[#results + 1] = found
  first = first + count
end
return results
`);

/**
 * KEYS: replay keys, of one delivery or of many; ARGV, three per key: the token it must still hold,
 * its window in ms, its committed value. A key whose lease ran out and that another claim took is
 * left alone.
 */
const COMMIT = new LuaScript(`
local committed = 0
for i, key in ipairs(KEYS) do
  local a = 3 * i - 2
  if redis.call('GET', key) == ARGV[a] then
    redis.call('SET', key, ARGV[a + 2], 'PX', ARGV[a + 1])
    committed = committed + 1
  end
end
return committed
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

/** Long enough for a commit under load, short enough that a dead node's claims clear before the sender's retry schedule notices. */
export const DEFAULT_LEASE_MS = 10_000;

interface Claimed {
  readonly token: string;
  readonly expiresAt: number;
}

interface ScriptCall {
  readonly script: LuaScript;
  readonly keys: readonly string[];
  readonly args: readonly (string | number)[];
}

interface PendingRetry extends ScriptCall {
  /** After this the keys have expired by themselves. */
  readonly until: number;
}

interface PendingClaim {
  readonly redisKeys: readonly string[];
  readonly token: string;
  readonly now: number;
}

interface PendingCommit {
  readonly redisKeys: readonly string[];
  /** Three per key, as the commit script takes them. */
  readonly args: readonly (string | number)[];
  /** After this the keys have expired by themselves. */
  readonly until: number;
}

const RETRY_MS = 250;
/** Deliveries per claim or commit script: bounds one script's time in Redis (a few hundred µs). */
const MAX_BATCH = 256;
const MAX_PENDING_RETRIES = 10_000;
const SWEEP_EVERY_MS = 60_000;

/** The value of a key committed by `nodeId` for delivery `requestId`. */
export function committedValue(nodeId: string, requestId: string): string {
  return `c:${nodeId}:${requestId}`;
}

/** The prefix of every lease token `nodeId` takes: a restarted node knows its own leftover leases by it. */
export function leasePrefix(nodeId: string): string {
  return `p:${nodeId}:`;
}

export class RedisReplayCache implements ReplayCache {
  /** Kept in the local replay log too: a restarted node reconciles its last commits from it. */
  readonly durableKeys = true;
  /** This node's claims that are not settled yet, by redis key: what `commit` and `release` may change. */
  private readonly claimed = new Map<string, Claimed>();
  private readonly pending: PendingRetry[] = [];
  private retryTimer: NodeJS.Timeout | undefined;
  private lastSweep = 0;
  private closed = false;
  /** Lease tokens are unique without a random draw per claim: a random part per process, then a counter. */
  private readonly tokenPrefix: string;
  private tokenCount = 0;
  private readonly claims = new TurnBatch<PendingClaim, number>((batch) => this.claimBatch(batch), MAX_BATCH);
  private readonly commits = new TurnBatch<PendingCommit, void>((batch) => this.commitBatch(batch), MAX_BATCH);

  constructor(
    private readonly connection: RedisConnection,
    private readonly keyPrefix: string,
    private readonly nodeId: string,
    private readonly options: { readonly leaseMs?: number; readonly clock?: () => number } = {},
  ) {
    this.tokenPrefix = `${leasePrefix(nodeId)}${randomBytes(9).toString('base64url')}.`;
  }

  private get leaseMs(): number {
    return this.options.leaseMs ?? DEFAULT_LEASE_MS;
  }

  async claim(keys: readonly ReplayKey[], now: number): Promise<ClaimResult> {
    this.sweep(now);
    if (keys.length === 0) return { result: 'new' };
    const token = this.tokenPrefix + (this.tokenCount++).toString(36);
    const redisKeys = keys.map((key) => this.redisKey(key));
    const found = await this.claims.add({ redisKeys, token, now });
    if (found === 0) {
      const expiresAt = now + this.leaseMs;
      for (const key of redisKeys) this.claimed.set(key, { token, expiresAt });
      return { result: 'new' };
    }
    const key = keys[Math.abs(found) - 1];
    if (!key) throw new Error(`replay claim script answered an index out of range: ${found}`);
    return { result: found < 0 ? 'duplicate' : 'pending', key };
  }

  async commit(keys: readonly ReplayKey[], now: number, requestId: string): Promise<void> {
    const mine = this.take(keys);
    if (mine.length === 0) return;
    const value = committedValue(this.nodeId, requestId);
    const args: (string | number)[] = [];
    // Relative to the node's clock, so a skewed Redis clock does not shorten the window.
    for (const entry of mine) args.push(entry.token, Math.max(1, Math.ceil(entry.key.expiresAt - now)), value);
    await this.commits.add({ redisKeys: mine.map((entry) => entry.redisKey), args, until: Math.max(...mine.map((entry) => entry.key.expiresAt)) });
  }

  async release(keys: readonly ReplayKey[]): Promise<void> {
    const mine = this.take(keys);
    if (mine.length === 0) return;
    const redisKeys = mine.map((entry) => entry.redisKey);
    const tokens = mine.map((entry) => entry.token);
    const release = { script: RELEASE, keys: redisKeys, args: tokens, until: Math.max(...mine.map((entry) => entry.expiresAt)) };
    await this.runSettlingLater(release, () => release);
  }

  /** One script for the claims of a turn; when its outcome is unknown it may yet have run, so its leases are released in the background. */
  private async claimBatch(batch: readonly PendingClaim[]): Promise<readonly number[]> {
    const keys = batch.flatMap((claim) => claim.redisKeys);
    const args: (string | number)[] = [this.leaseMs];
    for (const claim of batch) args.push(claim.redisKeys.length, claim.token);
    const reply = await this.runSettlingLater({ script: CLAIM, keys, args }, () => ({
      script: RELEASE,
      keys,
      args: batch.flatMap((claim) => claim.redisKeys.map(() => claim.token)),
      until: Math.max(...batch.map((claim) => claim.now)) + this.leaseMs,
    }));
    if (!Array.isArray(reply)) throw new Error('unexpected reply from the replay claim script');
    return reply.map(Number);
  }

  /** One script for the commits of a turn (those of one durable commit batch arrive together). */
  private async commitBatch(batch: readonly PendingCommit[]): Promise<readonly void[]> {
    const keys = batch.flatMap((commit) => commit.redisKeys);
    const args = batch.flatMap((commit) => commit.args);
    await this.runSettlingLater({ script: COMMIT, keys, args }, () => ({ script: COMMIT, keys, args, until: Math.max(...batch.map((commit) => commit.until)) }));
    return batch.map(() => undefined);
  }

  /**
   * Runs a script. When its outcome is unknown (Redis went away mid-command) it may yet have run:
   * `settle` (the commit or release itself, which may run twice, or the release of a claim) is
   * retried in the background until it succeeds or its keys expired.
   */
  private async runSettlingLater(command: ScriptCall, settle: () => PendingRetry): Promise<unknown> {
    try {
      return await this.connection.run((client) => command.script.run(client, command.keys, command.args));
    } catch (error) {
      this.retryLater(settle());
      throw error;
    }
  }

  /** Stops background retries; the connection itself belongs to whoever created it. */
  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.pending.length = 0;
  }

  /** Commits and releases still waiting for Redis (for health output and tests). */
  get pendingRetries(): number {
    return this.pending.length;
  }

  private take(keys: readonly ReplayKey[]): { key: ReplayKey; redisKey: string; token: string; expiresAt: number }[] {
    const mine: { key: ReplayKey; redisKey: string; token: string; expiresAt: number }[] = [];
    for (const key of keys) {
      const redisKey = this.redisKey(key);
      const claimed = this.claimed.get(redisKey);
      if (!claimed) continue;
      this.claimed.delete(redisKey);
      mine.push({ key, redisKey, token: claimed.token, expiresAt: claimed.expiresAt });
    }
    return mine;
  }

  private redisKey(key: ReplayKey): string {
    return replayRedisKey(this.keyPrefix, key.digest);
  }

  private retryLater(retry: PendingRetry): void {
    if (this.closed) return;
    // Beyond the cap the oldest is dropped: its keys still expire by themselves.
    if (this.pending.length >= MAX_PENDING_RETRIES) this.pending.shift();
    this.pending.push(retry);
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.closed || this.pending.length === 0) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.retryPending();
    }, RETRY_MS);
    this.retryTimer.unref();
  }

  private async retryPending(): Promise<void> {
    const now = (this.options.clock ?? Date.now)();
    for (let next = this.pending[0]; next && !this.closed; next = this.pending[0]) {
      if (next.until > now) {
        try {
          await this.connection.run((client) => next.script.run(client, next.keys, next.args));
        } catch {
          break; // Still unreachable: try again later, in the same order.
        }
      }
      this.pending.shift();
    }
    this.scheduleRetry();
  }

  /** Forgets claims that were never settled (a caller that failed in between) once their lease ran out. */
  private sweep(now: number): void {
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    for (const [key, claimed] of this.claimed) if (claimed.expiresAt <= now) this.claimed.delete(key);
  }
}

export function replayRedisKey(keyPrefix: string, digest: Buffer): string {
  return `${keyPrefix}:replay:${digest.toString('base64url')}`;
}
