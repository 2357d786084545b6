import type { FleetHealth, NodeHealth, TestFailure } from '../../../../shared/contract/console.js';
import type { Tone } from '../../components/Badge.js';

/** A failed call named for what it is: a refused token is not an unreachable node. */
export const FAILURE_WORDS: Record<TestFailure, string> = {
  unreachable: 'unreachable',
  tls: 'TLS failed',
  token_refused: 'token refused',
  scope: 'scope too narrow',
  throttled: 'throttled by the node',
  not_admin_api: 'not an admin API',
  duplicate_node_id: 'same node id as another node',
};

export const NODE_STATE_WORDS: Record<NodeHealth['state'], string> = { up: 'up', refusing: 'refusing traffic', down: 'down', unknown: 'not checked' };

export const NODE_STATE_TONES: Record<NodeHealth['state'], Tone> = { up: 'ok', refusing: 'bad', down: 'bad', unknown: 'warn' };

export const FLEET_STATE_TONES: Record<FleetHealth['state'], Tone> = { healthy: 'ok', degraded: 'warn', refusing: 'bad', down: 'bad' };

/** What a node's health badge says: its state, or the failure that kept it from being looked at. */
export function nodeStateWords(health: NodeHealth | undefined, failure: TestFailure | undefined): string {
  if (failure && health?.state !== 'up' && health?.state !== 'refusing') return FAILURE_WORDS[failure];
  return health ? NODE_STATE_WORDS[health.state] : 'unknown';
}

/** "+3.2 s" / "−0.4 s", or a dash when the node does not report its time. */
export function clockWords(health: NodeHealth | undefined): string {
  if (health?.clockOffsetMs === null || health?.clockOffsetMs === undefined) return '—';
  const seconds = health.clockOffsetMs / 1000;
  return `${seconds >= 0 ? '+' : '−'}${Math.abs(seconds).toFixed(1)} s`;
}
