import { releaseBuffer } from './release-buffer.js';
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
const TAG_WORD = DIGEST_WORDS;
/** Tags below LIVE: an empty slot ends a probe; a removed one does not, and inserting may reuse it. */
const EMPTY = 0;
const REMOVED = 1;
/** A live tag is 2 × (expiry in whole seconds after the table's epoch, rounded up) + 1 when committed. */
const LIVE = 2;
const MAX_EXPIRY_SECONDS = 2 ** 31 - 1;
const MIN_CAPACITY = 1024;
/**
 * Sizing: a table is sized for its keys at 62.5 % full and replaced once its used slots (live,
 * removed or expired) would pass 80 %: by one half larger when the live keys alone pass 62.5 %, else
 * by one of the same size without the dead ones. 20 to 30 bytes a key; linear probing at 80 % still
 * finds a key within a few cache lines. (At most half full, rounded to a power of two, took 32 to 64.)
 */
const SIZED_LOAD = 0.625;
const MAX_LOAD = 0.8;
const GROWTH = 1.5;
/**
 * Slots of the draining table every call moves first (K). Moving them all at once stalled the event
 * loop 330 ms at 1.8 million keys. The old table (C slots, L live keys when the move began) must be
 * drained before the new one (C' slots) passes MAX_LOAD, the point where it would be replaced in turn.
 * Only an insert fills the new table, one key per call, and each call first moves K slots: the old
 * table is empty after at most ⌈C/K⌉ inserts, and the new one then holds at most L + C/K + 1 keys.
 *  - growth: L ≤ 0.8 C and C' = 1.5 C, so 0.8 C + C/K + 1 ≤ 0.8 C' = 1.2 C needs K ≥ 2.5;
 *  - a sweep at the same size (L < 0.625 C = 0.625 C') or a growth capped at `maxKeys` (L ≤ maxKeys ≤
 *    0.625 C', C < C'): 0.625 C' + C'/K + 1 ≤ 0.8 C' needs K ≥ 5.7.
 * 8 leaves room for the rounding: at the smallest table, 640 + 128 + 1 = 769 ≤ 819 slots.
 */
export const SLOTS_MOVED_PER_CALL = 8;

export type IndexLookup = 'absent' | 'pending' | 'committed';

/** One open-addressing array of slots; `used` counts those not EMPTY (live, removed or expired). */
class SlotTable {
  readonly slots: Uint32Array<ArrayBuffer>;
  used = 0;

  constructor(readonly capacity: number) {
    this.slots = new Uint32Array(capacity * SLOT_WORDS);
  }

  /**
   * The slot holding `source`'s digest (its tag live, expired or not), or -1. Slots below `movedBelow`
   * were moved to the next table: the probe steps over them (they were taken when the key was
   * inserted, so its probe went on past them), without a tombstone written into each.
   */
  find(source: Buffer, offset: number, movedBelow: number): number {
    const { slots, capacity } = this;
    const first = source.readUInt32LE(offset);
    const home = homeSlot(first, capacity);
    let slot = home < movedBelow ? movedBelow : home;
    for (let left = capacity - movedBelow; left > 0; left--) {
      const base = slot * SLOT_WORDS;
      const tag = slots[base + TAG_WORD] as number;
      if (tag === EMPTY) return -1;
      if (tag !== REMOVED && slots[base] === first && matchesRest(slots, base, source, offset)) return slot;
      slot = slot + 1 === capacity ? movedBelow : slot + 1;
    }
    return -1;
  }

  /** Puts a key absent from this table into the first free slot of its probe. */
  put(first: number, second: number, third: number, tag: number): void {
    const { slots, capacity } = this;
    let slot = homeSlot(first, capacity);
    while ((slots[slot * SLOT_WORDS + TAG_WORD] as number) >= LIVE) slot = slot + 1 === capacity ? 0 : slot + 1;
    const base = slot * SLOT_WORDS;
    if (slots[base + TAG_WORD] === EMPTY) this.used++;
    slots[base] = first;
    slots[base + 1] = second;
    slots[base + 2] = third;
    slots[base + TAG_WORD] = tag;
  }
}

/**
 * The single node's replay keys in memory: an open-addressing hash table in one typed array of
 * 16-byte slots (96 bits of digest, a 32-bit tag holding the expiry in seconds and whether the key
 * is committed), at most 80 % full (see MAX_LOAD): 20 to 30 bytes a key, no garbage for the collector.
 * Expiries are rounded up to the second, so a key is remembered up to a second longer, never less.
 *
 * The table is grown and swept incrementally, so that no call does work that grows with the table:
 * when it is due, a new table is allocated and the old one kept; every call first moves
 * SLOTS_MOVED_PER_CALL of the old slots into the new table (dropping removed and expired keys), and
 * `moveAhead` lets idle turns of the loop drain it sooner (local-replay-cache.ts);
 * lookups and removes search both until the old one is drained, inserts go to the new one. While
 * both are held the index takes old and new table together, what a rebuild in one go peaked at: at
 * most two tables of the largest size, 51 bytes per key of `maxKeys` (past the smallest table). The old
 * table's memory is given back the moment it is drained (release-buffer.ts), not at the next major collection.
 *
 * Pending entries are claims of deliveries not yet durable; they live only here and so die with
 * the process. Committed entries mirror what the store holds and are rebuilt from it at start.
 * `maxKeys` bounds the table: past it `add` refuses rather than forgets a key inside its window
 * (the replay cache then moves keys to disk: local-replay-cache.ts).
 */
export class DedupeIndex {
  private table = new SlotTable(MIN_CAPACITY);
  /** The table being moved into `table`, from slot 0 up; the slots below `moved` are done. */
  private draining: SlotTable | undefined;
  private moved = 0;
  /** Expiries are counted in seconds from here: the first time the table saw, less a day for clocks that step back. */
  private epochMs: number | undefined;
  /** Live entries in both tables. */
  private live = 0;

  constructor(readonly maxKeys: number) {}

  get size(): number {
    return this.live;
  }

  /** Bytes the tables hold now. */
  get bytes(): number {
    return this.table.slots.byteLength + (this.draining?.slots.byteLength ?? 0);
  }

  /** Slots of the old table still to move into the new one: 0 unless the table is being grown or swept. */
  get slotsToMigrate(): number {
    return this.draining === undefined ? 0 : this.draining.capacity - this.moved;
  }

  /**
   * Sizes the table for `keys` (at most `maxKeys`) at once, so adding that many never grows and
   * rehashes it step by step. Meant for an empty index (the load at start): keys it holds already
   * are moved over by the calls that follow.
   */
  reserve(keys: number, now: number): void {
    const capacity = capacityFor(Math.min(keys, this.maxKeys));
    if (capacity > this.table.capacity) this.replaceTable(capacity, now);
  }

  /**
   * Moves up to `count` slots of a growth or sweep in progress ahead of the calls that would move
   * them (an idle turn of the loop can drain it); returns the slots still to move.
   */
  moveAhead(count: number, now: number): number {
    this.migrate(count, now);
    return this.slotsToMigrate;
  }

  /** Past this many slots the table never grows: it holds `maxKeys` at SIZED_LOAD. */
  private get maxCapacity(): number {
    return capacityFor(this.maxKeys);
  }

  lookup(digest: Buffer, now: number): IndexLookup {
    this.migrate(SLOTS_MOVED_PER_CALL, now);
    const position = this.find(digest, 0, now);
    if (position < 0) return 'absent';
    return (this.tagAt(position) & 1) === 1 ? 'committed' : 'pending';
  }

  /** Adds or overwrites; false when the table is at its bound (nothing was added). */
  add(digest: Buffer, expiresAt: number, committed: boolean, now: number): boolean {
    this.migrate(SLOTS_MOVED_PER_CALL, now);
    const tag = this.tag(expiresAt, committed, now);
    const existing = this.find(digest, 0, now);
    if (existing >= 0) {
      this.setTag(existing, tag);
      return true;
    }
    return this.insert(digest, 0, tag, now);
  }

  /**
   * Adds committed keys as the replay log stores them (`encodeReplayKeys`, one row or many rows
   * concatenated) from byte `from` on, reading digests and expiries in place: a million keys load
   * without a million objects. Expired keys are skipped; a key met twice keeps its later expiry.
   * Stops at the table's bound: returns the offset of the first key not added (`stored.length`
   * when all were). Each key does the work of one `add`.
   */
  addStored(stored: Buffer, now: number, from = 0): number {
    let offset = from;
    for (; offset + STORED_KEY_BYTES <= stored.length; offset += STORED_KEY_BYTES) {
      this.migrate(SLOTS_MOVED_PER_CALL, now);
      const expiresAt = stored.readDoubleLE(offset + DIGEST_BYTES);
      if (expiresAt <= now) continue;
      const tag = this.tag(expiresAt, true, now);
      const existing = this.find(stored, offset, now);
      if (existing >= 0) this.setTag(existing, Math.max(tag, this.tagAt(existing)) | 1);
      else if (!this.insert(stored, offset, tag, now)) return offset;
    }
    return stored.length;
  }

  /** Gives the tables' memory back at once; the index is empty after. */
  clear(): void {
    if (this.draining) releaseBuffer(this.draining.slots.buffer);
    releaseBuffer(this.table.slots.buffer);
    this.draining = undefined;
    this.moved = 0;
    this.table = new SlotTable(MIN_CAPACITY);
    this.live = 0;
  }

  remove(digest: Buffer, now: number): void {
    this.migrate(SLOTS_MOVED_PER_CALL, now);
    const position = this.find(digest, 0, now);
    if (position < 0) return;
    this.setTag(position, REMOVED);
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

  /**
   * Positions address the slots of both tables as one row: the new table's first, then the old
   * one's, so a key found in either is read and written through one number.
   */
  private tagAt(position: number): number {
    const { table } = this;
    if (position < table.capacity) return table.slots[position * SLOT_WORDS + TAG_WORD] as number;
    return (this.draining as SlotTable).slots[(position - table.capacity) * SLOT_WORDS + TAG_WORD] as number;
  }

  private setTag(position: number, tag: number): void {
    const { table } = this;
    if (position < table.capacity) table.slots[position * SLOT_WORDS + TAG_WORD] = tag;
    else (this.draining as SlotTable).slots[(position - table.capacity) * SLOT_WORDS + TAG_WORD] = tag;
  }

  /** The position of a live entry, or -1; an expired entry found on the way is removed. */
  private find(source: Buffer, offset: number, now: number): number {
    let position = this.table.find(source, offset, 0);
    if (position < 0 && this.draining !== undefined) {
      const slot = this.draining.find(source, offset, this.moved);
      if (slot >= 0) position = this.table.capacity + slot;
    }
    if (position < 0) return -1;
    if (this.expiresAt(this.tagAt(position)) > now) return position;
    this.setTag(position, REMOVED);
    this.live--;
    return -1;
  }

  /** Puts an absent key into the table, replacing the table first when its used slots would pass MAX_LOAD. */
  private insert(source: Buffer, offset: number, tag: number, now: number): boolean {
    if (this.live >= this.maxKeys) return false;
    // While the old table drains, the new one cannot pass MAX_LOAD: see SLOTS_MOVED_PER_CALL.
    if (this.draining === undefined && this.table.used + 1 > this.table.capacity * MAX_LOAD) this.replaceTable(this.nextCapacity(), now);
    this.table.put(source.readUInt32LE(offset), source.readUInt32LE(offset + 4), source.readUInt32LE(offset + 8), tag);
    this.live++;
    return true;
  }

  /** Grown by half when the live keys pass SIZED_LOAD (up to `maxKeys`' worth), else the same size. */
  private nextCapacity(): number {
    const { capacity } = this.table;
    return this.live + 1 > capacity * SIZED_LOAD ? Math.min(Math.ceil(capacity * GROWTH), this.maxCapacity) : capacity;
  }

  /** Starts moving the live keys into a new table of `capacity` slots (none to move: the old one is dropped). */
  private replaceTable(capacity: number, now: number): void {
    // Only `reserve` can land here mid-move; it runs before the index takes traffic.
    this.migrate(this.slotsToMigrate, now);
    if (this.live > 0) {
      this.draining = this.table;
      this.moved = 0;
    } else releaseBuffer(this.table.slots.buffer);
    this.table = new SlotTable(capacity);
  }

  /** Moves the next `count` slots of the draining table into the new one, dropping removed and expired keys. */
  private migrate(count: number, now: number): void {
    const from = this.draining;
    if (from === undefined) return;
    const { slots } = from;
    const end = Math.min(this.moved + count, from.capacity);
    for (let slot = this.moved; slot < end; slot++) {
      const base = slot * SLOT_WORDS;
      const tag = slots[base + TAG_WORD] as number;
      if (tag < LIVE) continue;
      if (this.expiresAt(tag) > now) this.table.put(slots[base] as number, slots[base + 1] as number, slots[base + 2] as number, tag);
      else this.live--;
    }
    this.moved = end;
    if (end === from.capacity) {
      this.draining = undefined;
      this.moved = 0;
      releaseBuffer(slots.buffer);
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
 * below 2^53 (for tables up to 2^36 slots). Digests are sha256 output: the first word is a uniform hash.
 */
function homeSlot(first: number, capacity: number): number {
  const high = (first >>> 16) * capacity;
  const low = (first & 0xffff) * capacity;
  return Math.floor((high + Math.floor(low / 65_536)) / 65_536);
}

function matchesRest(slots: Uint32Array, base: number, source: Buffer, offset: number): boolean {
  for (let word = 1; word < DIGEST_WORDS; word++) if (slots[base + word] !== source.readUInt32LE(offset + word * 4)) return false;
  return true;
}
