import type { ReplayKey } from './delivery-record.js';

export type ClaimResult = 'new' | 'seen';

/**
 * Set-if-absent over delivery ids and signatures. A claim is provisional until `settle`: when the
 * delivery could not be stored the claim is given up, so the sender's retry is not taken for a
 * duplicate of something that was never accepted.
 */
export interface ReplayCache {
  /** Claims every key or none; `seen` names the first key that was already present. */
  claim(keys: readonly ReplayKey[], now: number): Promise<{ result: 'new' } | { result: 'seen'; key: ReplayKey }>;
  settle(keys: readonly ReplayKey[], stored: boolean): Promise<void>;
}
