import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { bytesEqual } from './constant-time.js';
import type { VerificationKey } from './scheme.js';

export interface HmacMatch {
  readonly secretId: string;
  /** Index of the presented signature that matched. */
  readonly index: number;
}

/**
 * Computes the MAC of `parts` once per key and compares it, in constant time, with every presented
 * signature: senders that sign with several secrets at once (rotation) put several in one header.
 */
export function matchHmac(
  algorithm: 'sha1' | 'sha256' | 'sha512',
  keys: readonly VerificationKey<KeyObject>[],
  parts: readonly (string | Buffer)[],
  presented: readonly Buffer[],
): HmacMatch | undefined {
  for (const { secretId, key } of keys) {
    const mac = createHmac(algorithm, key);
    for (const part of parts) mac.update(part);
    const digest = mac.digest();
    for (let index = 0; index < presented.length; index++) {
      if (bytesEqual(digest, presented[index] as Buffer)) return { secretId, index };
    }
  }
  return undefined;
}

/** The secret string's UTF-8 bytes as an HMAC key, for the schemes that use the secret as given. */
export function utf8SecretKey(secret: string, scheme: string): KeyObject {
  if (secret.length === 0) throw new Error(`${scheme} secret must not be empty`);
  return createSecretKey(Buffer.from(secret, 'utf8'));
}

/** A top-level string field of a JSON body, for schemes whose event id lives in the payload. */
export function jsonStringField(body: Buffer, field: string): string | undefined {
  if (body.length === 0 || (body[0] !== 0x7b && body.indexOf(0x7b) === -1)) return undefined;
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const value = (parsed as Record<string, unknown>)[field];
    return typeof value === 'string' && value.length > 0 && value.length <= 256 ? value : undefined;
  } catch {
    return undefined;
  }
}
