import type { IntegrationEntry } from '../../../../shared/contract/console.js';

type Secret = IntegrationEntry['secrets'][number];

export const usableSecret = (secret: Secret): boolean => secret.state === 'active' || secret.state === 'expiring';

/**
 * Where an integration's rotation stands. `pending`: a secret was added pending — it verifies,
 * and the older ones verify with no expiry until the operator confirms that the sender signs with
 * the new one. `overlap`: older secrets are counting down to their expiry.
 */
export type RotationState =
  | { readonly kind: 'none' }
  | { readonly kind: 'pending'; readonly newest: Secret; readonly older: readonly Secret[] }
  | { readonly kind: 'overlap'; readonly newest: Secret };

export function rotationState(entry: Pick<IntegrationEntry, 'secrets'>): RotationState {
  const usable = entry.secrets.filter(usableSecret);
  const pending = usable.findLast((secret) => secret.pending === true);
  if (pending) return { kind: 'pending', newest: pending, older: usable.filter((secret) => secret.id !== pending.id) };
  const newest = usable.at(-1);
  if (newest && usable.some((secret) => secret.state === 'expiring')) return { kind: 'overlap', newest };
  return { kind: 'none' };
}
