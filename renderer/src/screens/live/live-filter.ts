import type { FleetDelivery } from '../../../../shared/contract/console.js';
import { OUTCOMES, REASONS, type Outcome, type Reason } from '../../../../shared/model/outcomes.js';

export interface LiveFilter {
  readonly fleetId: string;
  readonly integrationId: string;
  readonly outcome: Outcome | 'all';
  readonly reason: Reason | 'all';
  readonly text: string;
}

export const NO_FILTER: LiveFilter = { fleetId: 'all', integrationId: 'all', outcome: 'all', reason: 'all', text: '' };

/** Text matches the integration, the reason, the diagnosis, the source address or the request id. */
export function matchesLive(delivery: FleetDelivery, filter: LiveFilter): boolean {
  if (filter.fleetId !== 'all' && delivery.fleetId !== filter.fleetId) return false;
  if (filter.integrationId !== 'all' && delivery.integrationId !== filter.integrationId) return false;
  if (filter.outcome !== 'all' && delivery.outcome !== filter.outcome) return false;
  if (filter.reason !== 'all' && delivery.reason !== filter.reason) return false;
  const text = filter.text.trim().toLowerCase();
  if (text === '') return true;
  return [delivery.integrationId, delivery.reason, delivery.diagnosis, delivery.sourceIp, delivery.requestId].some((field) => field?.toLowerCase().includes(text));
}

/** A filter carried in the address (`#live?integration=pay&outcome=rejected`), so other screens can link to matching deliveries. */
export function filterFromQuery(query: string): LiveFilter {
  const params = new URLSearchParams(query);
  const outcome = params.get('outcome');
  const reason = params.get('reason');
  return {
    fleetId: params.get('fleet') ?? 'all',
    integrationId: params.get('integration') ?? 'all',
    outcome: outcome && (OUTCOMES as readonly string[]).includes(outcome) ? (outcome as Outcome) : 'all',
    reason: reason && (REASONS as readonly string[]).includes(reason) ? (reason as Reason) : 'all',
    text: params.get('text') ?? '',
  };
}

/** A link to Live showing the deliveries that match `filter` (fields left out match everything). */
export function liveHref(filter: Partial<LiveFilter>): string {
  const params = new URLSearchParams();
  if (filter.fleetId && filter.fleetId !== 'all') params.set('fleet', filter.fleetId);
  if (filter.integrationId && filter.integrationId !== 'all') params.set('integration', filter.integrationId);
  if (filter.outcome && filter.outcome !== 'all') params.set('outcome', filter.outcome);
  if (filter.reason && filter.reason !== 'all') params.set('reason', filter.reason);
  if (filter.text) params.set('text', filter.text);
  const query = params.toString();
  return query ? `#live?${query}` : '#live';
}
