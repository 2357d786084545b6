import { stripUnsafeText } from '../../shared/contract/admin-api.js';

export const PERSON_HEADER = 'x-hookwarden-person';
const MAX_PERSON_CHARS = 128;

/**
 * Who sits at the console, as the console says (`<os user>@<host>`), for the audit log. It is the
 * caller's word, not an identity: the token is what is authenticated. Kept printable and short, since
 * it is shown to other operators.
 */
export function personFromHeader(value: string | string[] | undefined): string | null {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined) return null;
  const printable = stripUnsafeText(text).trim().slice(0, MAX_PERSON_CHARS).trim();
  return printable === '' ? null : printable;
}
