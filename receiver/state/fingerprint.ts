import { createHash } from 'node:crypto';

/** First 8 hex digits of the value's sha256: enough to tell two secrets apart, never enough to recover one. */
export function fingerprint(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 8);
}
