import type { SchemeName } from '../../shared/model/schemes.js';
import { decodeBase64 } from '../schemes/encodings.js';

/** Schemes whose secret the operator makes up: a short or degenerate one can be guessed, so it is refused. */
const OPERATOR_CHOSEN: ReadonlySet<SchemeName> = new Set(['github', 'hmac', 'standard-webhooks']);
export const MIN_SECRET_BYTES = 16;

/**
 * Why a secret is too weak to sign with, or undefined. Applies to the schemes whose secret an operator
 * chooses (github, hmac, standard-webhooks); provider-issued secrets (Stripe, Slack…) are what they are.
 * The reason never quotes the value.
 */
export function weakSecretReason(scheme: SchemeName, value: string): string | undefined {
  if (!OPERATOR_CHOSEN.has(scheme)) return undefined;
  // A Standard Webhooks `whsec_` secret is base64 of the key; `whpk_` is a public key, not a shared secret.
  if (scheme === 'standard-webhooks' && value.startsWith('whpk_')) return undefined;
  if (value.trim() === '') return 'is only whitespace';
  const bytes = scheme === 'standard-webhooks' ? decodeBase64(value.replace(/^whsec_/, '')) : Buffer.from(value, 'utf8');
  // Not base64 at all: the scheme's own key check names that problem.
  if (bytes === undefined) return undefined;
  if (bytes.length < MIN_SECRET_BYTES) return `is ${bytes.length} bytes; at least ${MIN_SECRET_BYTES} random bytes are needed so it cannot be guessed`;
  if (bytes.every((byte) => byte === bytes[0])) return 'repeats a single byte; use random bytes (e.g. openssl rand -hex 32)';
  return undefined;
}

/** The value itself when it is strong enough; else throws the reason (for config loading, which names the key path). */
export function rejectWeakSecret(scheme: SchemeName, value: string): string {
  const weak = weakSecretReason(scheme, value);
  if (weak !== undefined) throw new Error(`the secret ${weak}`);
  return value;
}
