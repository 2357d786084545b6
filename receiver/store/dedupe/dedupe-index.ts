import { DIGEST_BYTES } from './replay-digest.js';

/** A key as the replay log stores it: digest, then expiry as float64 LE (see `encodeReplayKeys`). */
export const STORED_KEY_BYTES = DIGEST_BYTES + 8;

/**
 * Words of a slot: the digest's first 96 bits, then the tag. 96 bits keep a false match out of
 * reach (2^-96 per pair: a million lookups against four million keys a second for a century
 * stay below 10^-13), and a 16-byte slot is a quarter of a cache line: a lookup touches one.
 */
const DIGEST_WORDS = 3;
const SLOT_WORDS = DIGEST_WORDS + 1;
/** Tags below LIVE: an empty slot ends a probe; a removed one does not, and inserting may reuse it. */
const EMPTY = 0;
const REMOVED = 1;
/** A live tag is 2 × (expiry in whole seconds after the table's epoch, rounded up) + 1 when committed. */
const LIVE = 2;
const MAX_EXPIRY_SECONDS = 2 ** 31 - 1;
const MIN_CAPACITY = 1024;
/**
 * Sizing: a table is sized for its keys at 62.5 % full and rebuilt once its used slots (live,
 * removed or expired) would pass 80 %: grown by half when the live keys alone pass 62.5 %, else at
 * the same size without the dead ones. 20 to 30 bytes a key; linear probing at 80 % still finds a
 * key within a few cache lines. (At most half full, rounded to a power of two, took 32 to 64.)
 */
const SIZED_LOAD = 0.625;
const MAX_LOAD = 0.8;
const GROWTH = 1.5;
const SWEEP_INTERVAL_MS = 1000;

export type IndexLookup = 'absent' | 'pending' | 'committed';

/**
 * The single node's replay keys in memory: an open-addressing hash table in one typed array of
 * 16-byte slots (96 bits of digest, a 32-bit tag holding the expiry in seconds and whether the key
 * is committed), at most 80 % full (see MAX_LOAD): 20 to 30 bytes a key, no garbage for the collector.
 * Expiries are rounded up to the second, so a key is remembered up to a second longer, never less.
 *
 * Pending entries are claims of deliveries not yet durable; they live only here and so die with
 * the process. Committed entries mirror what the store holds and are rebuilt from it at start.
 * `maxKeys` bounds the table: past it `add` refuses rather than forgets a key inside its window.
 */
export class DedupeIndex {
  private capacity = MIN_CAPACITY;
  private slots = new Uint32Array(MIN_CAPACITY * SLOT_WORDS);
  /** Expiries are counted in seconds from here: the first time the table saw, less a day for clocks that step back. */
  private epochMs: number | undefined;
  /** Live entries, and slots that are not EMPTY (live, removed or expired): probing cost grows with the latter. */
  private live = 0;
  private used = 0;
  private lastSweep = -Infinity;

  constructor(readonly maxKeys: number) {}

  get size(): number {
    return this.live;
  }

  /** Bytes the table holds now. */
  get bytes(): number {
    return this.slots.byteLength;
  }

  /** Sizes the table for `keys` (at most `maxKeys`) at once, so adding that many never grows and rehashes it step by step. */
  reserve(keys: number, now: number): void {
    const capacity = capacityFor(Math.min(keys, this.maxKeys));
    if (capacity > this.capacity) this.rebuild(capacity, now);
  }

  /** Past this many slots the table never grows: it holds `maxKeys` at SIZED_LOAD. */
  private get maxCapacity(): number {
    return capacityFor(this.maxKeys);
  }

  lookup(digest: Buffer, now: number): IndexLookup {
    const slot = this.find(digest, 0, now);
    if (slot < 0) return 'absent';
    return this.isCommitted(slot) ? 'committed' : 'pending';
  }

  /** Adds or overwrites; false when the table is at its bound (nothing was added). */
  add(digest: Buffer, expiresAt: number, committed: boolean, now: number): boolean {
    const tag = this.tag(expiresAt, committed, now);
    const existing = this.find(digest, 0, now);
    if (existing >= 0) {
      this.slots[existing * SLOT_WORDS + DIGEST_WORDS] = tag;
      return true;
    }
    return this.insert(digest, 0, tag, now);
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
      const tag = this.tag(expiresAt, true, now);
      const existing = this.find(stored, offset, now);
      if (existing >= 0) {
        const at = existing * SLOT_WORDS + DIGEST_WORDS;
        this.slots[at] = Math.max(tag, this.slots[at] as number) | 1;
      } else if (!this.insert(stored, offset, tag, now)) refused++;
    }
    return refused;
  }

  remove(digest: Buffer, now: number): void {
    const slot = this.find(digest, 0, now);
    if (slot < 0) return;
    this.slots[slot * SLOT_WORDS + DIGEST_WORDS] = REMOVED;
    this.live--;
  }

  private tag(expiresAt: number, committed: boolean, now: number): number {
    this.epochMs ??= now - 86_400_000;
    const seconds = Math.min(MAX_EXPIRY_SECONDS, Math.max(1, Math.ceil((expiresAt - this.epochMs) / 1000)));
    return seconds * 2 + (committed ? 1 : 0);
  }

  private expiresAt(tag: number): number {
    return (this.epochMs ?? 0) + (tag >>> 1) * 1000;
  }

  private isCommitted(slot: number): boolean {
    return ((this.slots[slot * SLOT_WORDS + DIGEST_WORDS] as number) & 1) === 1;
  }

  /** Puts an absent key into a free slot, rebuilding the table first when its used slots would pass MAX_LOAD. */
  private insert(source: Buffer, offset: number, tag: number, now: number): boolean {
    if (this.live >= this.maxKeys) {
      // At the bound, expired keys are swept out at most once a second: a sweep walks the whole table.
      if (now - this.lastSweep >= SWEEP_INTERVAL_MS) {
        this.lastSweep = now;
        this.rebuild(this.capacity, now);
      }
      if (this.live >= this.maxKeys) return false;
    }
    if (this.used + 1 > this.capacity * MAX_LOAD) {
      const grow = this.live + 1 > this.capacity * SIZED_LOAD;
      this.rebuild(grow ? Math.min(Math.ceil(this.capacity * GROWTH), this.maxCapacity) : this.capacity, now);
    }
    let slot = homeSlot(source.readUInt32LE(offset), this.capacity);
    for (;;) {
      const current = this.slots[slot * SLOT_WORDS + DIGEST_WORDS] as number;
      if (current === EMPTY || current === REMOVED) break;
      slot = nextSlot(slot, this.capacity);
    }
    const base = slot * SLOT_WORDS;
    if (this.slots[base + DIGEST_WORDS] === EMPTY) this.used++;
    for (let word = 0; word < DIGEST_WORDS; word++) this.slots[base + word] = source.readUInt32LE(offset + word * 4);
    this.slots[base + DIGEST_WORDS] = tag;
    this.live++;
    return true;
  }

  /** The slot of a live entry, or -1; an expired entry found on the way is removed. Digests are sha256 output: the first word is a uniform hash. */
  private find(source: Buffer, offset: number, now: number): number {
    const first = source.readUInt32LE(offset);
    for (let slot = homeSlot(first, this.capacity); ; slot = nextSlot(slot, this.capacity)) {
      const base = slot * SLOT_WORDS;
      const tag = this.slots[base + DIGEST_WORDS] as number;
      if (tag === EMPTY) return -1;
      if (tag === REMOVED || this.slots[base] !== first || !this.matchesRest(base, source, offset)) continue;
      if (this.expiresAt(tag) > now) return slot;
      this.slots[base + DIGEST_WORDS] = REMOVED;
      this.live--;
      return -1;
    }
  }

  private matchesRest(base: number, source: Buffer, offset: number): boolean {
    for (let word = 1; word < DIGEST_WORDS; word++) if (this.slots[base + word] !== source.readUInt32LE(offset + word * 4)) return false;
    return true;
  }

  /** Re-inserts the live, unexpired entries into a table of `capacity` slots, dropping removed and expired ones. */
  private rebuild(capacity: number, now: number): void {
    const old = this.slots;
    const oldCapacity = this.capacity;
    this.capacity = Math.max(MIN_CAPACITY, capacity);
    this.slots = new Uint32Array(this.capacity * SLOT_WORDS);
    this.live = 0;
    this.used = 0;
    for (let from = 0; from < oldCapacity; from++) {
      const source = from * SLOT_WORDS;
      const tag = old[source + DIGEST_WORDS] as number;
      if (tag < LIVE || this.expiresAt(tag) <= now) continue;
      let slot = homeSlot(old[source] as number, this.capacity);
      while (this.slots[slot * SLOT_WORDS + DIGEST_WORDS] !== EMPTY) slot = nextSlot(slot, this.capacity);
      this.slots.set(old.subarray(source, source + SLOT_WORDS), slot * SLOT_WORDS);
      this.live++;
      this.used++;
    }
  }
}

/** Slots that hold `keys` at SIZED_LOAD: any size, not a power of two, so the table is not up to twice what it needs. */
function capacityFor(keys: number): number {
  return Math.max(MIN_CAPACITY, Math.ceil(keys / SIZED_LOAD));
}

/**
 * The slot a digest's first word starts its probe at: floor(first × capacity / 2^32), a uniform
 * map onto any table size, computed in two 16-bit halves so every step stays an exact integer
 * below 2^53 (for tables up to 2^36 slots).
 */
function homeSlot(first: number, capacity: number): number {
  const high = (first >>> 16) * capacity;
  const low = (first & 0xffff) * capacity;
  return Math.floor((high + Math.floor(low / 65_536)) / 65_536);
}

function nextSlot(slot: number, capacity: number): number {
  return slot + 1 === capacity ? 0 : slot + 1;
}
