import { timingSafeEqual } from 'node:crypto';

/**
 * Constant-time equality of two byte strings. The length is not secret (every digest of one
 * algorithm has the same length), so a length mismatch returns early.
 */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
