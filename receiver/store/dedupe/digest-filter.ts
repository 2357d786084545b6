import { DIGEST_BYTES } from './replay-digest.js';

/** Bits per key the filter is sized for: with PROBES probes, about 1 % of the digests it never took answer "maybe". */
const BITS_PER_KEY = 10;
const PROBES = 7;

/**
 * A Bloom filter of replay digests in shared memory: the spill thread sets bits, the event loop tests them, so that a
 * digest the spill never took is answered without a read of the file (~10 µs a read on a spill of 6M keys).
 * Bits are only ever set, with atomic operations: the loop may see a digest's bits before the transaction that spills
 * it commits, which costs a read that finds nothing, never a wrong answer. The probes come from the digest's last
 * eight bytes (sha256 output, uniform; the in-memory index hashes its first four).
 */
export class DigestFilter {
  private readonly bits: Uint8Array;
  private readonly size: number;

  /** The filter in `buffer`: a new one (forKeys), or one another thread made and posted. */
  constructor(readonly buffer: SharedArrayBuffer) {
    this.bits = new Uint8Array(buffer);
    this.size = buffer.byteLength * 8;
  }

  static forKeys(capacity: number): DigestFilter {
    return new DigestFilter(new SharedArrayBuffer(Math.ceil((Math.max(1, capacity) * BITS_PER_KEY) / 8)));
  }

  /** Keys the filter was sized for. */
  get capacity(): number {
    return Math.floor(this.size / BITS_PER_KEY);
  }

  add(digest: Buffer): void {
    const [first, step] = probes(digest);
    for (let probe = 0, bit = first % this.size; probe < PROBES; probe++, bit = (bit + step) % this.size) {
      Atomics.or(this.bits, bit >>> 3, 1 << (bit & 7));
    }
  }

  /**
   * Adds every digest of `digests` (digests back to back, as the spill thread reads them out in slices) with plain
   * writes: only for a filter no other thread has been given yet, which the message that gives it then publishes.
   * Atomics cost about a third of making a filter of 6M digests.
   */
  fillBeforeSharing(digests: Buffer): void {
    for (let offset = 0; offset + DIGEST_BYTES <= digests.length; offset += DIGEST_BYTES) {
      const [first, step] = probes(digests.subarray(offset, offset + DIGEST_BYTES));
      for (let probe = 0, bit = first % this.size; probe < PROBES; probe++, bit = (bit + step) % this.size) {
        const byte = bit >>> 3;
        this.bits[byte] = (this.bits[byte] as number) | (1 << (bit & 7));
      }
    }
  }

  /** False only for a digest never added; true for every digest added, and for about 1 % of the others at capacity. */
  mightHold(digest: Buffer): boolean {
    const [first, step] = probes(digest);
    for (let probe = 0, bit = first % this.size; probe < PROBES; probe++, bit = (bit + step) % this.size) {
      if ((Atomics.load(this.bits, bit >>> 3) & (1 << (bit & 7))) === 0) return false;
    }
    return true;
  }
}

/** Double hashing (Kirsch and Mitzenmacher): probe i is first + i × step, from two words of the digest. */
function probes(digest: Buffer): [number, number] {
  if (digest.length !== DIGEST_BYTES) throw new Error(`a replay digest has ${DIGEST_BYTES} bytes`);
  // An odd step: the probes of one digest do not fall on the same few bits.
  return [digest.readUInt32LE(8), (digest.readUInt32LE(12) | 1) >>> 0];
}
