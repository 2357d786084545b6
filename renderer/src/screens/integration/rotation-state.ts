import type { IntegrationEntry } from '../../../../shared/contract/console.js';

type Secret = IntegrationEntry['secrets'][number];

export const usableSecret = (secret: Secret): boolean => secret.state === 'active' || secret.state === 'expiring';

/**
 * Where an integration's rotation stands. `pending`: a newer secret was added and an older one
 * still verifies with no expiry — the overlap waits for the operator to confirm that the sender
 * signs with the new one. `overlap`: older secrets are counting down to their expiry.
 */
export type RotationState = { readonly kind: 'none' } | { readonly kind: 'pending'; readonly newest: Secret; readonly older: readonly Secret[] } | { readonly kind: 'overlap'; readonly newest: Secret };

export function rotationState(entry: Pick<IntegrationEntry, 'secrets'>): RotationState {
  const usable = entry.secrets.filter(usableSecret);
  const newest = usable.at(-1);
  if (!newest || usable.length < 2) return { kind: 'none' };
  const older = usable.filter((secret) => secret.id !== newest.id);
  if (older.some((secret) => secret.state === 'active')) return { kind: 'pending', newest, older };
  return { kind: 'overlap', newest };
}
