import { DIGEST_BYTES } from './replay-digest.js';

const EMPTY = 0;
const PENDING = 1;
const COMMITTED = 2;
/** A removed entry: probing goes on past it, inserting may reuse it. */
const REMOVED = 3;

const WORDS = DIGEST_BYTES / 4;
/** A key as the replay log stores it: digest, then expiry as float64 LE (see `encodeReplayKeys`). */
export const STORED_KEY_BYTES = DIGEST_BYTES + 8;
const MIN_CAPACITY = 1024;
const SWEEP_INTERVAL_MS = 1000;

export type IndexLookup = 'absent' | 'pending' | 'committed';

/**
 * The single node's replay keys in memory: an open-addressing hash table over typed arrays, so a
 * key costs a fixed 25 bytes per slot (16-byte digest, 8-byte expiry, 1 state byte) and the table
 * is kept at most half full: about 50 bytes per key, and no garbage for the collector.
 *
 * Pending entries are claims of deliveries not yet durable; they live only here and so die with
 * the process. Committed entries mirror what the store holds and are rebuilt from it at start.
 * `maxKeys` bounds the table: past it `add` refuses rather than forgets a key inside its window.
 */
export class DedupeIndex {
  private capacity: number;
  private digests: Uint32Array;
  private expiries: Float64Array;
  private states: Uint8Array;
  /** Live entries, and slots that are not EMPTY (live, removed or expired): probing cost grows with the latter. */
  private live = 0;
  private used = 0;
  private lastSweep = -Infinity;

  constructor(readonly maxKeys: number) {
    this.capacity = MIN_CAPACITY;
    this.digests = new Uint32Array(this.capacity * WORDS);
    this.expiries = new Float64Array(this.capacity);
    this.states = new Uint8Array(this.capacity);
  }

  get size(): number {
    return this.live;
  }

  /** Bytes the table holds now (its typed arrays). */
  get bytes(): number {
    return this.digests.byteLength + this.expiries.byteLength + this.states.byteLength;
  }

  /** Sizes the table for `keys` (at most `maxKeys`) at once, so adding that many never grows and rehashes it step by step. */
  reserve(keys: number, now: number): void {
    const capacity = capacityFor(Math.min(keys, this.maxKeys));
    if (capacity > this.capacity) this.rebuild(capacity, now);
  }

  lookup(digest: Buffer, now: number): IndexLookup {
    const slot = this.find(digest, 0, now);
    if (slot < 0) return 'absent';
    return this.states[slot] === COMMITTED ? 'committed' : 'pending';
  }

  /** Adds or overwrites; false when the table is at its bound (nothing was added). */
  add(digest: Buffer, expiresAt: number, committed: boolean, now: number): boolean {
    const existing = this.find(digest, 0, now);
    if (existing >= 0) {
      this.expiries[existing] = expiresAt;
      this.states[existing] = committed ? COMMITTED : PENDING;
      return true;
    }
    return this.insert(digest, 0, expiresAt, committed ? COMMITTED : PENDING, now);
  }

  /**
   * Adds committed keys as the replay log stores them (`encodeReplayKeys`, one row or many rows
   * concatenated), reading digests and expiries in place: a million keys load without a million
   * objects. Expired keys are skipped; a key met twice keeps its later expiry. The number of keys
   * not added because the table is at its bound is returned (0 when all fit).
   */
  addStored(stored: Buffer, now: number): number {
    let refused = 0;
    for (let offset = 0; offset + STORED_KEY_BYTES <= stored.length; offset += STORED_KEY_BYTES) {
      const expiresAt = stored.readDoubleLE(offset + DIGEST_BYTES);
      if (expiresAt <= now) continue;
      const existing = this.find(stored, offset, now);
      if (existing >= 0) {
        if ((this.expiries[existing] as number) < expiresAt) this.expiries[existing] = expiresAt;
        this.states[existing] = COMMITTED;
      } else if (!this.insert(stored, offset, expiresAt, COMMITTED, now)) refused++;
    }
    return refused;
  }

  /** Puts an absent key into a free slot, growing the table first when it would pass half full. */
  private insert(source: Buffer, offset: number, expiresAt: number, state: number, now: number): boolean {
    if (this.live >= this.maxKeys) {
      // At the bound, expired keys are swept out at most once a second: a sweep walks the whole table.
      if (now - this.lastSweep >= SWEEP_INTERVAL_MS) {
        this.lastSweep = now;
        this.rebuild(this.capacity, now);
      }
      if (this.live >= this.maxKeys) return false;
    }
    if ((this.used + 1) * 2 > this.capacity) this.rebuild(this.live * 4 > this.capacity ? this.capacity * 2 : this.capacity, now);
    let slot = this.home(source, offset);
    while (this.states[slot] !== EMPTY && this.states[slot] !== REMOVED) slot = (slot + 1) & (this.capacity - 1);
    if (this.states[slot] === EMPTY) this.used++;
    this.write(slot, source, offset, expiresAt, state);
    this.live++;
    return true;
  }

  remove(digest: Buffer, now: number): void {
    const slot = this.find(digest, 0, now);
    if (slot < 0) return;
    this.states[slot] = REMOVED;
    this.live--;
  }

  /** The slot of a live entry, or -1. An expired entry found on the way is removed. */
  private find(source: Buffer, offset: number, now: number): number {
    const mask = this.capacity - 1;
    for (let slot = this.home(source, offset); ; slot = (slot + 1) & mask) {
      const state = this.states[slot];
      if (state === EMPTY) return -1;
      if (state === REMOVED || !this.matches(slot, source, offset)) continue;
      if ((this.expiries[slot] as number) > now) return slot;
      this.states[slot] = REMOVED;
      this.live--;
      return -1;
    }
  }

  /** The digest's first word picks the slot: digests are sha256 output, already uniform. */
  private home(source: Buffer, offset: number): number {
    return source.readUInt32LE(offset) & (this.capacity - 1);
  }

  private matches(slot: number, source: Buffer, offset: number): boolean {
    const base = slot * WORDS;
    for (let word = 0; word < WORDS; word++) if (this.digests[base + word] !== source.readUInt32LE(offset + word * 4)) return false;
    return true;
  }

  private write(slot: number, source: Buffer, offset: number, expiresAt: number, state: number): void {
    const base = slot * WORDS;
    for (let word = 0; word < WORDS; word++) this.digests[base + word] = source.readUInt32LE(offset + word * 4);
    this.expiries[slot] = expiresAt;
    this.states[slot] = state;
  }

  /** Re-inserts the live, unexpired entries into a table of `capacity` slots, dropping removed and expired ones. */
  private rebuild(capacity: number, now: number): void {
    const old = { digests: this.digests, expiries: this.expiries, states: this.states, capacity: this.capacity };
    this.capacity = Math.max(MIN_CAPACITY, capacity);
    this.digests = new Uint32Array(this.capacity * WORDS);
    this.expiries = new Float64Array(this.capacity);
    this.states = new Uint8Array(this.capacity);
    this.live = 0;
    this.used = 0;
    const mask = this.capacity - 1;
    for (let from = 0; from < old.capacity; from++) {
      const state = old.states[from] as number;
      if ((state !== PENDING && state !== COMMITTED) || (old.expiries[from] as number) <= now) continue;
      const base = from * WORDS;
      let slot = (old.digests[base] as number) & mask;
      while (this.states[slot] !== EMPTY) slot = (slot + 1) & mask;
      this.digests.set(old.digests.subarray(base, base + WORDS), slot * WORDS);
      this.expiries[slot] = old.expiries[from] as number;
      this.states[slot] = state;
      this.live++;
      this.used++;
    }
  }
}

/** The smallest power of two that holds `keys` at most half full. */
function capacityFor(keys: number): number {
  let capacity = MIN_CAPACITY;
  while (capacity < keys * 2) capacity *= 2;
  return capacity;
}
