/**
 * Settles, at a fleet node's start, the claims of the deliveries it committed last before it
 * stopped. A node killed between its local commit and the script that extends its claim leaves a
 * delivery that is `accepted` (and owed downstream) here while Redis holds only a lease that runs
 * out: the sender, which never got its 202, retries to another node, which accepts it too. So,
 * before the node takes traffic, for each recent delivery with replay keys:
 *
 *   keys absent, or holding this node's own leftover lease → committed by this delivery for the rest
 *                                                             of their window: a retry is now a duplicate
 *   keys committed by this same delivery                   → nothing to do
 *   a key committed by another delivery (another node)     → this copy is superseded: no longer
 *                                                             accepted, taken out of the outbox
 *   a key holding another node's lease                     → that node is storing the retry right now:
 *                                                             asked again until its lease is settled
 *
 * A bare "c" (committed by a version that did not record who) is left alone: it may be this node's
 * own commit, and dropping that copy could lose the delivery.
 */
import type Database from 'better-sqlite3';
import { decodeReplayKeys } from '../dedupe/local-replay-cache.js';
import { LuaScript } from './lua-script.js';
import type { RedisConnection } from './redis-connection.js';
import { IS_COMMITTED_LUA, committedValue, leasePrefix, replayRedisKey } from './redis-replay-cache.js';

/** Past the lease, a delivery's claim was either extended or has lapsed; the margin covers a slow commit. */
const LOOKBACK_MARGIN_MS = 60_000;
/** Bounds the start-up work whatever the traffic was. */
const MAX_ROWS = 50_000;
const BATCH = 200;
const RETRY_MS = 250;

/** What the script found for one delivery (0: its keys are committed by it now, or left alone). */
const SUPERSEDED = 1;
const OTHER_LEASE = 2;

/**
 * KEYS: the replay keys of the batch's deliveries, one delivery after the other.
 * ARGV[1]: this node's lease prefix; then per delivery: its key count n, its committed value, n windows in ms.
 * Returns one verdict per delivery (0, SUPERSEDED, OTHER_LEASE). A delivery's keys are all checked before any is written, so a
 * superseded delivery takes none of them.
 */
const RECONCILE = new LuaScript(`
${IS_COMMITTED_LUA}
local mine = ARGV[1]
local k, a = 1, 2
local verdicts = {}
while a <= #ARGV do
  local n = tonumber(ARGV[a])
  local value = ARGV[a + 1]
  local verdict = 0
  for i = 0, n - 1 do
    local current = redis.call('GET', KEYS[k + i])
    if current and current ~= value then
      if current == 'c' then
        if verdict == 0 then verdict = 3 end
      elseif committed(current) then
        verdict = 1
        break
      elseif string.sub(current, 1, #mine) ~= mine then
        verdict = 2
      end
    end
  end
  if verdict == 0 then
    for i = 0, n - 1 do
      if redis.call('GET', KEYS[k + i]) ~= value then redis.call('SET', KEYS[k + i], value, 'PX', ARGV[a + 2 + i]) end
    end
  end
  if verdict == 3 then verdict = 0 end
  verdicts[#verdicts + 1] = verdict
  k = k + n
  a = a + 2 + n
end
return verdicts
`);

export interface ReconcileOptions {
  readonly db: Database.Database;
  readonly connection: RedisConnection;
  readonly keyPrefix: string;
  readonly nodeId: string;
  readonly leaseMs: number;
  readonly now: () => number;
  /** Goes through the writer thread, like every other store write. */
  readonly supersede: (seqs: readonly number[]) => Promise<number>;
}

export interface ReconcileResult {
  readonly checked: number;
  readonly superseded: number;
  /** Deliveries whose keys still held another node's lease when the wait ended: left as they are. */
  readonly unsettled: number;
}

interface Recent {
  readonly seq: number;
  readonly value: string;
  readonly keys: readonly string[];
  readonly windows: readonly number[];
}

export async function reconcileRecentCommits(options: ReconcileOptions): Promise<ReconcileResult> {
  let todo = recentCommits(options);
  const checked = todo.length;
  const superseded: number[] = [];
  // Another node's lease ends within leaseMs: committed (this copy is superseded) or gone (this one holds).
  const deadline = options.now() + options.leaseMs + RETRY_MS;
  for (;;) {
    const waiting: Recent[] = [];
    for (let start = 0; start < todo.length; start += BATCH) {
      const batch = todo.slice(start, start + BATCH);
      const verdicts = await runBatch(options, batch);
      batch.forEach((recent, index) => {
        if (verdicts[index] === SUPERSEDED) superseded.push(recent.seq);
        else if (verdicts[index] === OTHER_LEASE) waiting.push(recent);
      });
    }
    todo = waiting;
    if (todo.length === 0 || options.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
  const changed = superseded.length > 0 ? await options.supersede(superseded) : 0;
  return { checked, superseded: changed, unsettled: todo.length };
}

/** This node's deliveries with replay keys still in their window, received in the lookback before its last one. */
function recentCommits({ db, keyPrefix, nodeId, leaseMs, now }: ReconcileOptions): Recent[] {
  const last = db.prepare('SELECT max(received_at) FROM deliveries').pluck().get() as number | null;
  if (last === null) return [];
  // By the time index, newest first: the start-up read stays within the lookback however long the log is.
  const rows = db
    .prepare(
      `SELECT d.seq, d.request_id, r.keys FROM deliveries d INDEXED BY deliveries_by_time JOIN replay_log r ON r.seq = d.seq
       WHERE d.received_at >= ? AND d.outcome IN ('accepted', 'held') ORDER BY d.received_at DESC LIMIT ?`,
    )
    .all(last - leaseMs - LOOKBACK_MARGIN_MS, MAX_ROWS) as { seq: number; request_id: string; keys: Buffer }[];
  const at = now();
  const recent: Recent[] = [];
  for (const row of rows) {
    const live = decodeReplayKeys(row.keys).filter((key) => key.expiresAt > at);
    if (live.length === 0) continue;
    recent.push({
      seq: row.seq,
      value: committedValue(nodeId, row.request_id),
      keys: live.map((key) => replayRedisKey(keyPrefix, key.digest)),
      windows: live.map((key) => Math.ceil(key.expiresAt - at)),
    });
  }
  return recent;
}

async function runBatch({ connection, nodeId }: ReconcileOptions, batch: readonly Recent[]): Promise<number[]> {
  const keys = batch.flatMap((recent) => recent.keys);
  const args = [leasePrefix(nodeId), ...batch.flatMap((recent) => [recent.keys.length, recent.value, ...recent.windows])];
  const reply = await connection.run((client) => RECONCILE.run(client, keys, args));
  if (!Array.isArray(reply) || reply.length !== batch.length) throw new Error('the reconcile script answered an unexpected reply');
  return reply.map(Number);
}
