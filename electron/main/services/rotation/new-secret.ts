import { randomBytes } from 'node:crypto';
import type { SchemeName } from '../../../../shared/model/schemes.js';
import { ConsoleError } from '../console-error.js';

/**
 * A new signing secret from the OS CSPRNG in the format the scheme's senders use: `whsec_` + base64
 * (Standard Webhooks, Svix, and Stripe-like endpoints), hex for the others. 32 bytes: above every
 * scheme's minimum (Standard Webhooks asks for at least 24).
 */
export function newSigningSecret(scheme: SchemeName): string {
  return formatSecret(scheme, randomBytes(32));
}

/** `bytes` written the way the scheme's senders hand secrets out. */
export function formatSecret(scheme: SchemeName, bytes: Buffer): string {
  switch (scheme) {
    case 'standard-webhooks':
    case 'stripe':
      return `whsec_${bytes.toString('base64')}`;
    case 'jws':
      throw new ConsoleError('not_rotatable', 'jws integrations verify with the sender\'s public keys (JWKS); rotate keys at the sender');
    default:
      return bytes.toString('hex');
  }
}

/** Secret ids made by the console: time-ordered, and the same on every node of a fleet. */
export function newSecretId(now: number): string {
  return `s${now.toString(36)}${randomBytes(2).toString('hex')}`;
}
