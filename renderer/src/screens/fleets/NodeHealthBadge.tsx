import type { NodeHealth, TestFailure } from '../../../../shared/contract/console.js';
import { Badge } from '../../components/Badge.js';
import { NODE_STATE_TONES, nodeStateWords } from './health-words.js';

/**
 * One node's state in words and colour: up, refusing traffic, down, or what kept it from being
 * looked at. `ok` alone (no health: an older main process) still tells up from unreachable.
 */
export function NodeHealthBadge({ health, failure, ok }: { health: NodeHealth | undefined; failure?: TestFailure | undefined; ok?: boolean }) {
  if (!health && !failure && ok !== undefined) return <Badge tone={ok ? 'ok' : 'bad'}>{ok ? 'up' : 'unreachable'}</Badge>;
  const tone = health ? NODE_STATE_TONES[health.state] : failure ? 'bad' : 'muted';
  return <Badge tone={tone}>{nodeStateWords(health, failure)}</Badge>;
}
