import { DedupeIndex, STORED_KEY_BYTES } from './dedupe-index.js';
import { DIGEST_BYTES } from './replay-digest.js';

/**
 * Generations memory is split into: each holds a quarter of the bound, so dropping the oldest frees a quarter
 * at once, and a lookup probes four tables (four cache lines) for a key none holds.
 */
const GENERATIONS = 4;

interface Generation {
  readonly index: DedupeIndex;
  /** The latest expiry of a key added: past it the generation holds nothing live. */
  maxExpiry: number;
  /** Every key it holds is on disk (the spill covered the log through a point after it was sealed). */
  spilled: boolean;
}

/**
 * The committed replay keys memory holds: the most recent ones, in generations of at most a quarter of
 * `maxKeys` each, oldest first. Keys go into the newest; a full one is sealed and a new one begun. At the
 * bound the oldest is dropped, but only once its keys are on disk (`spillPoint`) or all have expired:
 * memory never forgets a live key the disk does not hold. Each generation is one DedupeIndex (16-byte
 * slots at 62.5 % full: 25.6 bytes per key of the bound once all four are full); a generation begun after
 * a seal is sized for its quarter at once, so no table is ever held twice while it grows (only the first,
 * which grows from small so that a quiet node stays small).
 */
export class RecentKeys {
  private readonly generations: Generation[];
  readonly perGeneration: number;
  private sealedOnce = false;
  /** A generation holding live keys was dropped: some committed keys are now only on disk. */
  private evictedLive = false;

  constructor(readonly maxKeys: number) {
    this.perGeneration = Math.max(1, Math.ceil(maxKeys / GENERATIONS));
    this.generations = [this.newGeneration(0)];
  }

  get size(): number {
    let keys = 0;
    for (const generation of this.generations) keys += generation.index.size;
    return keys;
  }

  get bytes(): number {
    let bytes = 0;
    for (const generation of this.generations) bytes += generation.index.bytes;
    return bytes;
  }

  get slotsToMigrate(): number {
    let slots = 0;
    for (const generation of this.generations) slots += generation.index.slotsToMigrate;
    return slots;
  }

  /** Keys a load puts in memory at most: three generations, the fourth left for what comes next. */
  get loadBudget(): number {
    return this.perGeneration * (GENERATIONS - 1);
  }

  /** Whether memory has dropped live keys, which only the disk holds now. */
  get evicted(): boolean {
    return this.evictedLive;
  }

  /** Sealed generations whose keys are not yet known to be on disk: a spill now would let memory drop them. */
  get wantsSpill(): boolean {
    // Started once memory is three quarters full, so that the spill is done before the bound is reached.
    return this.generations.length >= GENERATIONS - 1 && this.generations.some((generation, at) => at < this.generations.length - 1 && !generation.spilled);
  }

  has(digest: Buffer, now: number): boolean {
    for (let at = this.generations.length - 1; at >= 0; at--) {
      if ((this.generations[at] as Generation).index.lookup(digest, now) === 'committed') return true;
    }
    return false;
  }

  /** Whether `add` would take a new key now (false: memory is at its bound and the oldest keys are not on disk yet). */
  canAdd(now: number): boolean {
    return !this.newestFull || this.generations.length < GENERATIONS || this.droppable(this.generations[0] as Generation, now);
  }

  /** Adds a committed key; false when memory is at its bound and the oldest generation cannot be dropped yet. */
  add(digest: Buffer, expiresAt: number, now: number): boolean {
    if (this.newestFull && !this.rotate(now)) return false;
    const newest = this.newest;
    if (!newest.index.add(digest, expiresAt, true, now)) return false;
    newest.maxExpiry = Math.max(newest.maxExpiry, expiresAt);
    return true;
  }

  /**
   * Adds the keys of stored replay-log rows (`encodeReplayKeys`), sealing generations as they fill. Returns
   * false if memory reached its bound first (the caller loads only what fits, see LocalReplayCache).
   */
  addStored(stored: Buffer, now: number): boolean {
    let offset = 0;
    while (offset < stored.length) {
      if (this.newestFull && !this.rotate(now)) return false;
      const newest = this.newest;
      const end = newest.index.addStored(stored, now, offset);
      for (let at = offset + DIGEST_BYTES; at < end; at += STORED_KEY_BYTES) newest.maxExpiry = Math.max(newest.maxExpiry, stored.readDoubleLE(at));
      offset = end;
    }
    return true;
  }

  /**
   * Marks the point a spill starts from: once it has covered the log through its end as of now, calling the
   * returned function lets memory drop the generations sealed before this call (every key in them was
   * committed, so durable in the log, before the spill read it).
   */
  spillPoint(): () => void {
    const sealed = this.generations.slice(0, -1);
    return () => {
      for (const generation of sealed) generation.spilled = true;
    };
  }

  /** Drops sealed generations whose keys have all expired, giving their memory back. */
  dropExpired(now: number): void {
    while (this.generations.length > 1 && (this.generations[0] as Generation).maxExpiry <= now) this.dropOldest(now);
  }

  moveAhead(count: number, now: number): number {
    let left = 0;
    for (const generation of this.generations) left += generation.index.moveAhead(count, now);
    return left;
  }

  private get newest(): Generation {
    return this.generations[this.generations.length - 1] as Generation;
  }

  private get newestFull(): boolean {
    return this.newest.index.size >= this.perGeneration;
  }

  private droppable(generation: Generation, now: number): boolean {
    return generation.spilled || generation.maxExpiry <= now;
  }

  /** Seals the newest generation and begins another, dropping the oldest first when all are in use. */
  private rotate(now: number): boolean {
    this.dropExpired(now);
    if (this.generations.length >= GENERATIONS) {
      if (!this.droppable(this.generations[0] as Generation, now)) return false;
      this.dropOldest(now);
    }
    this.sealedOnce = true;
    this.generations.push(this.newGeneration(now));
    return true;
  }

  private dropOldest(now: number): void {
    const oldest = this.generations.shift() as Generation;
    if (oldest.maxExpiry > now) this.evictedLive = true;
    oldest.index.clear();
  }

  private newGeneration(now: number): Generation {
    const index = new DedupeIndex(this.perGeneration);
    // Once keys come fast enough to fill a generation, the next one is sized for its quarter at once.
    if (this.sealedOnce) index.reserve(this.perGeneration, now);
    return { index, maxExpiry: -Infinity, spilled: false };
  }
}
