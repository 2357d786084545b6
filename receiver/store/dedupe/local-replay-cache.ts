import type { ClaimResult, ReplayCache, ReplayKey } from '../replay-cache.js';
import { DedupeIndex, STORED_KEY_BYTES as KEY_BYTES } from './dedupe-index.js';
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
 * whatever the traffic. At the bound that is what frees the room expired keys held, and a quiet node
 * does not hold two tables for long.
 */
const MOVED_PER_TURN = 32_768;

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
 * The first seq of each slice of the log, one per turn of the event loop. Slices start at a seq the
 * log holds: gaps (the migrated keys sit a billion seqs below the deliveries) cost nothing.
 */
async function* slices(source: ReplayLogSource): AsyncGenerator<number> {
  for (let from = source.next(Number.MIN_SAFE_INTEGER); from !== undefined; from = source.next(from + LOAD_SLICE_SEQS)) {
    yield from;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * The replay cache of a single node. Claims are pending entries of the in-memory index (they die
 * with the process); a durable delivery's keys are committed to the index and, in the same
 * transaction as the delivery, to the store's replay log, which rebuilds the index at start.
 *
 * While the index loads, a claim cannot be judged (its key may be in the part not loaded yet): it
 * waits for the whole index, so the node takes traffic from its start, answers the first
 * deliveries a moment later, and never forgets a key. Past MAX_WAITING_CLAIMS waiting claims, or
 * when the load failed, a claim answers `unavailable` and the sender retries.
 */
export class LocalReplayCache implements ReplayCache {
  readonly durableKeys = true;
  private readonly index: DedupeIndex;
  private state: 'loading' | 'loaded' | 'failed' = 'loading';
  private readonly whole: Promise<void>;
  private settle!: (error?: unknown) => void;
  private waiting = 0;
  /** A turn is scheduled to move the index's growth or sweep ahead; it uses the latest time a call gave. */
  private movingAhead = false;
  private latestNow = 0;

  constructor(maxKeys: number) {
    this.index = new DedupeIndex(maxKeys);
    this.whole = new Promise<void>((resolve, reject) => (this.settle = (error) => (error === undefined ? resolve() : reject(error))));
    // Nobody may be waiting when a load fails: its error is reported by whoever called `load`.
    this.whole.catch(() => undefined);
  }

  /** `loading` until every key of the log is in memory; claims meanwhile wait. `failed` refuses claims until a restart. */
  get status(): 'loading' | 'loaded' | 'failed' {
    return this.state;
  }

  get stats(): { keys: number; bytes: number; maxKeys: number } {
    return { keys: this.index.size, bytes: this.index.bytes, maxKeys: this.index.maxKeys };
  }

  /**
   * Loads the committed keys still inside their window, in slices of seqs (the event loop turns
   * between them): a first pass counts them, so the table is sized once, then each slice is read
   * and added at once. Holding every slice until the count was known kept ~24 bytes a key (43 MB
   * at 1.8 million keys) alive until the next full collection, long after the load.
   */
  async load(source: ReplayLogSource, now: () => number): Promise<void> {
    try {
      await this.fill(source, now);
      this.state = 'loaded';
      this.settle();
    } catch (error) {
      this.state = 'failed';
      this.settle(error);
      throw error;
    }
  }

  private async fill(source: ReplayLogSource, now: () => number): Promise<void> {
    let bytes = 0;
    for await (const from of slices(source)) bytes += source.keyBytes(from, from + LOAD_SLICE_SEQS, now());
    this.index.reserve(bytes / KEY_BYTES, now());
    for await (const from of slices(source)) {
      const at = now();
      const keys = source.keys(from, from + LOAD_SLICE_SEQS, at);
      if (keys && this.index.addStored(keys, at) > 0) {
        throw new Error(`the replay log holds more live keys than storage.dedupeIndexMaxKeys (${this.index.maxKeys}); raise it`);
      }
    }
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
    for (const key of keys) this.index.add(key.digest, key.expiresAt, true, now);
    this.moveAheadLater(now);
    return undefined;
  }

  release(keys: readonly ReplayKey[]): Promise<void> {
    for (const key of keys) this.index.remove(key.digest, -Infinity);
    return Promise.resolve();
  }

  private claimNow(keys: readonly ReplayKey[], now: number): ClaimResult {
    const result = this.judge(keys, now);
    // A claim may have started a growth, or (refused at the bound) a sweep.
    this.moveAheadLater(now);
    return result;
  }

  private judge(keys: readonly ReplayKey[], now: number): ClaimResult {
    for (const key of keys) {
      const found = this.index.lookup(key.digest, now);
      if (found === 'committed') return { result: 'duplicate', key };
      if (found === 'pending') return { result: 'pending', key };
    }
    for (let index = 0; index < keys.length; index++) {
      const key = keys[index] as ReplayKey;
      if (!this.index.add(key.digest, key.expiresAt, false, now)) {
        for (const added of keys.slice(0, index)) this.index.remove(added.digest, -Infinity);
        return { result: 'unavailable', detail: `the replay index is full (storage.dedupeIndexMaxKeys = ${this.index.maxKeys})` };
      }
    }
    return { result: 'new' };
  }

  /** Drains a growth or sweep of the index in turns of the loop, ahead of the calls that would move it a few slots each. */
  private moveAheadLater(now: number): void {
    this.latestNow = now;
    if (this.movingAhead || this.index.slotsToMigrate === 0) return;
    this.movingAhead = true;
    const step = (): void => {
      if (this.index.moveAhead(MOVED_PER_TURN, this.latestNow) > 0) setImmediate(step).unref();
      else this.movingAhead = false;
    };
    setImmediate(step).unref();
  }
}
