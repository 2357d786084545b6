import { hash } from 'node:crypto';

/** Bytes of a replay key's digest: 128 bits of sha256, so a false match is out of reach (2^-128 per pair). */
export const DIGEST_BYTES = 16;

/**
 * A replay key as stored: a fixed-size digest of the integration, the kind of key and its value,
 * so that neither the key's length nor its spelling reach Redis, memory or the file. One-shot
 * `hash` on the joined text: the same bytes as hashing the parts in turn, without a Hash object per key.
 */
export function replayDigest(integrationId: string, kind: 'id' | 'sig', value: string): Buffer {
  return hash('sha256', `${integrationId}\u0000${kind}\u0000${value}`, 'buffer').subarray(0, DIGEST_BYTES);
}
