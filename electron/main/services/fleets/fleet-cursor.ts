import { ConsoleError } from '../console-error.js';

/**
 * Where each node's listing stands: a node cursor (digits) to continue from, `''` to start from the
 * newest, `null` when that node has nothing older. A node missing from a decoded cursor counts as
 * done: it was added after the first page, and shows up when the list is loaded again.
 */
export type CursorState = Record<string, string | null>;

const VERSION = 1;

/** base64url of JSON: opaque to the renderer, and safe in a URL or a query string. */
export function encodeCursor(state: CursorState): string {
  return Buffer.from(JSON.stringify({ v: VERSION, n: state }), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): CursorState {
  const invalid = (): never => {
    throw new ConsoleError('invalid_cursor', 'the deliveries cursor is not one this console made; load the list again');
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return invalid();
  }
  if (typeof parsed !== 'object' || parsed === null) return invalid();
  const { v, n } = parsed as { v?: unknown; n?: unknown };
  if (v !== VERSION || typeof n !== 'object' || n === null || Array.isArray(n)) return invalid();
  const state: CursorState = {};
  for (const [url, value] of Object.entries(n)) {
    if (value !== null && (typeof value !== 'string' || !/^\d{0,20}$/.test(value))) return invalid();
    state[url] = value;
  }
  return state;
}

/** Whether any node still has older entries to list. */
export function hasMore(state: CursorState): boolean {
  return Object.values(state).some((value) => value !== null);
}
