import { errorText, type Logger } from '../../observability/logger.js';
import type { ClaimResult, ReplayCache, ReplayKey } from '../replay-cache.js';
import { DedupeIndex, STORED_KEY_BYTES as KEY_BYTES } from './dedupe-index.js';
import { RecentKeys } from './recent-keys.js';
import { DIGEST_BYTES } from './replay-digest.js';

/**
 * Seqs of the replay log read per slice while loading: one slice is ~0.4 MB and ~25 ms, so health and ingress keep
 * answering (a request needs a few turns of the loop: at 50,000 seqs a slice, /readyz waited ~600 ms for its first answer).
 */
const LOAD_SLICE_SEQS = 10_000;
/** Claims that may wait for the index to load: each holds a request in flight (its body at most ingress.maxBodyBytes). */
const MAX_WAITING_CLAIMS = 1_000;
/**
 * Slots of a growth or sweep of the index moved per turn of the loop besides those each call moves: a
 * fraction of a millisecond a turn, so a table of millions of slots is drained within a few hundred turns
 * whatever the traffic, and a quiet node does not hold two tables for long.
 */
const MOVED_PER_TURN = 32_768;
/** Keys of claims in flight (two a delivery) past which a new claim is refused: far above what the writer's backlog lets wait. */
const MAX_CLAIMED_KEYS = 1_000_000;
/** After a spill failed, the next is tried no sooner than this (each commit would otherwise retry it). */
const SPILL_RETRY_MS = 10_000;

/** The disk tier of the replay index (replay-spill.ts): every live key of the log through `throughSeq`, looked up by digest. */
export interface SpilledKeys {
  /** The last seq of the replay log whose live keys are all on disk; -Infinity when none are. */
  readonly throughSeq: number;
  /** The latest expiry of a key on disk: past it `has` is false without a read. */
  readonly liveUntil: number;
  readonly keys: number;
  /** Memory its filter of spilled digests takes. */
  readonly filterBytes: number;
  /** The node is stopping: extends are refused. */
  readonly closed: boolean;
  has(digest: Buffer, now: number): boolean;
  /** Adds the live keys of the log's rows after `throughSeq` through `through` (undefined: the log's end as the spill reads it). */
  extend(through: number | undefined, now: number): Promise<number>;
}

/** What loading the index needs: the log, its disk tier, the clock and where to report spills. */
export interface ReplayIndexSources {
  readonly log: ReplayLogSource;
  readonly spill: SpilledKeys;
  readonly now: () => number;
  readonly logger: Logger;
}

/** The replay keys of committed deliveries as the store holds them. */
export interface ReplayLogSource {
  /** The first seq at or after `seq`; undefined past the end of the log. */
  next(seq: number): number | undefined;
  /**
   * The stored keys (as written by `encodeReplayKeys`) of the rows with `from <= seq < to` that hold
   * a key whose window has not passed at `now`, concatenated in one buffer: no object per row.
   */
  keys(from: number, to: number, now: number): Buffer | undefined;
  /** The byte length `keys` would return for the same arguments, counted without reading the keys out. */
  keyBytes(from: number, to: number, now: number): number;
}

/** The stored form of a delivery's replay keys: per key, its digest and its expiry (float64 LE). */
export function encodeReplayKeys(keys: readonly ReplayKey[]): Buffer {
  const out = Buffer.allocUnsafe(keys.length * KEY_BYTES);
  writeReplayKeys(keys, out, 0);
  return out;
}

/** Writes the stored form of `keys` (see encodeReplayKeys) into `out` at `offset`; returns the bytes written. */
export function writeReplayKeys(keys: readonly ReplayKey[], out: Buffer, offset: number): number {
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index] as ReplayKey;
    const at = offset + index * KEY_BYTES;
    key.digest.copy(out, at, 0, DIGEST_BYTES);
    out.writeDoubleLE(key.expiresAt, at + DIGEST_BYTES);
  }
  return keys.length * KEY_BYTES;
}

/** Reads back what `encodeReplayKeys` wrote; the digests are views into `stored`. */
export function decodeReplayKeys(stored: Buffer): { digest: Buffer; expiresAt: number }[] {
  const keys: { digest: Buffer; expiresAt: number }[] = [];
  for (let offset = 0; offset + KEY_BYTES <= stored.length; offset += KEY_BYTES) {
    keys.push({ digest: stored.subarray(offset, offset + DIGEST_BYTES), expiresAt: stored.readDoubleLE(offset + DIGEST_BYTES) });
  }
  return keys;
}

/**
 * The first seq of each slice of the log after `after`, one per turn of the event loop. Slices start at a seq
 * the log holds: gaps (the migrated keys sit a billion seqs below the deliveries) cost nothing.
 */
async function* slices(source: ReplayLogSource, after: number): AsyncGenerator<number> {
  const start = after === -Infinity ? Number.MIN_SAFE_INTEGER : after + 1;
  for (let from = source.next(start); from !== undefined; from = source.next(from + LOAD_SLICE_SEQS)) {
    yield from;
    await nextTurn();
  }
}

/** The first of the slices that together hold at most `budget` keys, counted from the newest. */
function firstOfNewest(counted: readonly { keys: number }[], budget: number): number {
  let first = counted.length;
  for (let kept = 0; first > 0; first--) {
    kept += (counted[first - 1] as { keys: number }).keys;
    if (kept > budget) break;
  }
  return first;
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The replay cache of a single node, in three tiers:
 *  - claims: pending entries of deliveries not yet durable (they die with the process);
 *  - recent committed keys in memory (recent-keys.ts), at most `storage.dedupeIndexMaxKeys`;
 *  - every older live key on disk (the spill, replay-spill.ts), read only once memory has dropped keys.
 * A durable delivery's keys are committed to memory and, in the same transaction as the delivery, to the
 * store's replay log: the source of truth, from which both memory and the spill are rebuilt. Memory drops
 * its oldest keys only after the spill has copied the log through a point after they were committed, so a
 * key inside its window is always in one tier or the other, across restarts and kill -9.
 *
 * While the index loads, a claim cannot be judged (its key may be in the part not loaded yet): it
 * waits for the whole index, so the node takes traffic from its start, answers the first
 * deliveries a moment later, and never forgets a key. Past MAX_WAITING_CLAIMS waiting claims, or
 * when the load failed, a claim answers `unavailable` and the sender retries. So does a claim that
 * finds memory at its bound while its oldest keys are still on their way to disk.
 */
export class LocalReplayCache implements ReplayCache {
  readonly durableKeys = true;
  private readonly claims = new DedupeIndex(Number.MAX_SAFE_INTEGER);
  private readonly recent: RecentKeys;
  private sources: ReplayIndexSources | undefined;
  /** The spill held live keys at load that memory did not take. */
  private diskHoldsOthers = false;
  private spilling = false;
  private spillFailure: { error: string; at: number } | undefined;
  private state: 'loading' | 'loaded' | 'failed' = 'loading';
  private readonly whole: Promise<void>;
  private settle!: (error?: unknown) => void;
  private waiting = 0;
  /** A turn is scheduled to move the index's growth or sweep ahead; it uses the latest time a call gave. */
  private movingAhead = false;
  private latestNow = 0;

  constructor(readonly maxKeys: number) {
    this.recent = new RecentKeys(maxKeys);
    this.whole = new Promise<void>((resolve, reject) => (this.settle = (error) => (error === undefined ? resolve() : reject(error))));
    // Nobody may be waiting when a load fails: its error is reported by whoever called `load`.
    this.whole.catch(() => undefined);
  }

  /** `loading` until every key of the log is in memory or on disk; claims meanwhile wait. `failed` refuses claims until a restart. */
  get status(): 'loading' | 'loaded' | 'failed' {
    return this.state;
  }

  /** Keys in memory, the bytes they and the spill's filter take, and the keys on disk. */
  get stats(): { keys: number; bytes: number; maxKeys: number; spilledKeys: number } {
    const spill = this.sources?.spill;
    return { keys: this.claims.size + this.recent.size, bytes: this.claims.bytes + this.recent.bytes + (spill?.filterBytes ?? 0), maxKeys: this.maxKeys, spilledKeys: spill?.keys ?? 0 };
  }

  /**
   * Loads the committed keys still inside their window: memory takes the most recent, up to three quarters of
   * its bound, and the spill is first extended over the rest. The log is read in slices of seqs (the event
   * loop turns between them); a first pass counts their keys, so the cut is known before anything is read.
   */
  async load(sources: ReplayIndexSources): Promise<void> {
    this.sources = sources;
    try {
      const extended = await this.fill(sources);
      this.diskHoldsOthers = sources.spill.liveUntil > sources.now();
      this.state = 'loaded';
      this.settle();
      // The spill's filter lives in memory only: until an extend makes it, every key memory lacks is read from the file.
      if (this.diskHoldsOthers && !extended) this.makeSpillFilter(sources);
      this.afterChange(sources.now());
    } catch (error) {
      this.state = 'failed';
      this.settle(error);
      throw error;
    }
  }

  /** Loads memory, extending the spill first over what memory does not take; says whether it extended the spill. */
  private async fill({ log, spill, now }: ReplayIndexSources): Promise<boolean> {
    const counted: { from: number; keys: number }[] = [];
    for await (const from of slices(log, spill.throughSeq)) counted.push({ from, keys: log.keyBytes(from, from + LOAD_SLICE_SEQS, now()) / KEY_BYTES });
    const first = firstOfNewest(counted, this.recent.loadBudget);
    if (first > 0) await spill.extend(first < counted.length ? (counted[first] as { from: number }).from - 1 : undefined, now());
    for (const { from } of counted.slice(first)) {
      const at = now();
      const keys = log.keys(from, from + LOAD_SLICE_SEQS, at);
      if (keys && !this.recent.addStored(keys, at)) throw new Error('the replay log grew past the index while it loaded');
      await nextTurn();
    }
    return first > 0;
  }

  private makeSpillFilter({ spill, now, logger }: ReplayIndexSources): void {
    spill.extend(spill.throughSeq, now()).catch((error: unknown) => logger.warn('reading the replay keys on disk into their filter failed; each is read from the file', { error: errorText(error) }));
  }

  claim(keys: readonly ReplayKey[], now: number): ClaimResult | Promise<ClaimResult> {
    if (this.state === 'loaded') return this.claimNow(keys, now);
    if (this.state === 'failed') return Promise.resolve({ result: 'unavailable', detail: 'loading the replay index failed' });
    if (this.waiting >= MAX_WAITING_CLAIMS) return Promise.resolve({ result: 'unavailable', detail: 'the replay index is still loading' });
    this.waiting++;
    return this.whole.then(
      () => this.claimNow(keys, now),
      () => ({ result: 'unavailable', detail: 'loading the replay index failed' }) as const,
    ).finally(() => this.waiting--);
  }

  commit(keys: readonly ReplayKey[], now: number): undefined {
    for (const key of keys) {
      this.claims.remove(key.digest, -Infinity);
      // Memory at its bound with the spill behind: the key stays among the claims, committed, until it expires.
      if (!this.recent.add(key.digest, key.expiresAt, now)) this.claims.add(key.digest, key.expiresAt, true, now);
    }
    this.afterChange(now);
    return undefined;
  }

  release(keys: readonly ReplayKey[]): Promise<void> {
    for (const key of keys) this.claims.remove(key.digest, -Infinity);
    return Promise.resolve();
  }

  private claimNow(keys: readonly ReplayKey[], now: number): ClaimResult {
    let result: ClaimResult;
    try {
      result = this.judge(keys, now);
    } catch (error) {
      result = { result: 'unavailable', detail: `reading the replay keys on disk failed: ${errorText(error)}` };
    }
    // A claim may have started a growth of the claims' table.
    this.afterChange(now);
    return result;
  }

  private judge(keys: readonly ReplayKey[], now: number): ClaimResult {
    for (const key of keys) {
      const claimed = this.claims.lookup(key.digest, now);
      if (claimed === 'committed') return { result: 'duplicate', key };
      if (claimed === 'pending') return { result: 'pending', key };
      if (this.recent.has(key.digest, now) || this.onDisk(key.digest, now)) return { result: 'duplicate', key };
    }
    if (!this.recent.canAdd(now)) {
      const failure = this.spillFailure ? `; moving them to disk failed: ${this.spillFailure.error}` : '';
      return { result: 'unavailable', detail: `the replay index is full (storage.dedupeIndexMaxKeys = ${this.maxKeys}) until its oldest keys are on disk${failure}` };
    }
    if (this.claims.size + keys.length > MAX_CLAIMED_KEYS) return { result: 'unavailable', detail: 'too many deliveries in flight' };
    for (const key of keys) this.claims.add(key.digest, key.expiresAt, false, now);
    return { result: 'new' };
  }

  /** Whether a key memory does not hold is on disk: read only once memory has dropped live keys, or the spill held some at load. */
  private onDisk(digest: Buffer, now: number): boolean {
    const spill = (this.sources as ReplayIndexSources).spill;
    return (this.diskHoldsOthers || this.recent.evicted) && spill.has(digest, now);
  }

  private afterChange(now: number): void {
    this.recent.dropExpired(now);
    this.spillWhenDue(now);
    this.moveAheadLater(now);
  }

  /** Extends the spill over the log once memory nears its bound, so that the oldest generation may be dropped when room is needed. */
  private spillWhenDue(now: number): void {
    if (this.spilling || !this.recent.wantsSpill || (this.spillFailure && now - this.spillFailure.at < SPILL_RETRY_MS)) return;
    const { spill, logger } = this.sources as ReplayIndexSources;
    // The last commits of a stopping node still come here after the spill closed: the next start copies their keys.
    if (spill.closed) return;
    this.spilling = true;
    const spilled = this.recent.spillPoint();
    spill.extend(undefined, now).then(
      (throughSeq) => {
        spilled();
        this.spilling = false;
        this.spillFailure = undefined;
        logger.info('replay keys copied to disk', { throughSeq, keysOnDisk: spill.keys, keysInMemory: this.recent.size });
        this.spillWhenDue(this.latestNow);
      },
      (error: unknown) => {
        this.spilling = false;
        this.spillFailure = { error: errorText(error), at: this.latestNow };
        logger.error('copying replay keys to disk failed; new deliveries get 503 once the index is full', { error: this.spillFailure.error });
      },
    );
  }

  /** Drains growths and sweeps of the tables in turns of the loop, ahead of the calls that would move them a few slots each. */
  private moveAheadLater(now: number): void {
    this.latestNow = now;
    if (this.movingAhead || this.claims.slotsToMigrate + this.recent.slotsToMigrate === 0) return;
    this.movingAhead = true;
    const step = (): void => {
      const left = this.claims.moveAhead(MOVED_PER_TURN, this.latestNow) + this.recent.moveAhead(MOVED_PER_TURN, this.latestNow);
      if (left > 0) setImmediate(step).unref();
      else this.movingAhead = false;
    };
    setImmediate(step).unref();
  }
}
