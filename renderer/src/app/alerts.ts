import type { AlertEvent } from '../../../shared/contract/console.js';
import type { Tone } from '../components/Badge.js';
import { liveHref } from '../screens/live/live-filter.js';
import { integrationHref } from './routes.js';

export const ALERT_TITLES: Record<AlertEvent['kind'], string> = {
  signature_failures: 'Signature failures',
  unknown_sources: 'Rejections from unknown addresses',
  clock_skew: 'Clock off',
  fleet_refusing: 'Fleet refuses traffic',
  node_refusing: 'Node refuses traffic',
  node_down: 'Node down',
  recovered: 'Recovered',
};

export const alertTone = (kind: AlertEvent['kind']): Tone => (kind === 'recovered' ? 'ok' : kind === 'clock_skew' || kind === 'unknown_sources' ? 'warn' : 'bad');

/** The screen that explains an alert: the rejected deliveries in Live, or the fleet's node health. */
export function alertLink(alert: Pick<AlertEvent, 'kind' | 'fleetId' | 'integrationId'>): { href: string; label: string } {
  switch (alert.kind) {
    case 'signature_failures':
    case 'unknown_sources':
      return { href: liveHref({ fleetId: alert.fleetId, integrationId: alert.integrationId ?? 'all', outcome: 'rejected' }), label: 'Show the rejected deliveries' };
    default:
      return alert.integrationId ? { href: integrationHref(alert.fleetId, alert.integrationId), label: 'Open the integration' } : { href: '#fleets', label: 'Show the fleet\'s health' };
  }
}
