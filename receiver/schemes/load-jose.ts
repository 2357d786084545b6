import type * as Jose from 'jose';

let loading: Promise<typeof Jose> | undefined;

/**
 * jose, loaded at the first JWS verification rather than at start-up: nodes without a JWS integration
 * never need it, and its module graph was about 5 % of a node's start-up.
 */
export function loadJose(): Promise<typeof Jose> {
  return (loading ??= import('jose'));
}
