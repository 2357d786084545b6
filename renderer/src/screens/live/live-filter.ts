import type { FleetDelivery } from '../../../../shared/contract/console.js';
import { OUTCOMES, REASONS, type Outcome, type Reason } from '../../../../shared/model/outcomes.js';

export interface LiveFilter {
  readonly fleetId: string;
  /** A node's admin URL, or 'all'. */
  readonly node: string;
  readonly integrationId: string;
  readonly outcome: Outcome | 'all';
  readonly reason: Reason | 'all';
  /** Searched by the nodes too (exact): the provider's event / delivery id, the node's request id, the sender's address. */
  readonly deliveryId: string;
  readonly requestId: string;
  readonly sourceIp: string;
  /** Matched in the console only, in what is held. */
  readonly text: string;
}

export const NO_FILTER: LiveFilter = { fleetId: 'all', node: 'all', integrationId: 'all', outcome: 'all', reason: 'all', deliveryId: '', requestId: '', sourceIp: '', text: '' };

/** The filters the nodes search by, as typed (surrounding spaces from a paste do not count). */
export const searchOf = (filter: LiveFilter) => ({ deliveryId: filter.deliveryId.trim(), requestId: filter.requestId.trim(), sourceIp: filter.sourceIp.trim() });

/**
 * Whether a delivery matches: the same test the nodes apply to their logs for the search fields
 * (exact), so that history and stream agree; free text matches the integration, the reason, the
 * diagnosis, the source address, the delivery id or the request id, whatever its case.
 */
export function liveMatcher(filter: LiveFilter): (delivery: FleetDelivery) => boolean {
  const search = searchOf(filter);
  const text = filter.text.trim().toLowerCase();
  return (delivery) => {
    if (filter.fleetId !== 'all' && delivery.fleetId !== filter.fleetId) return false;
    if (filter.node !== 'all' && delivery.nodeUrl !== filter.node) return false;
    if (filter.integrationId !== 'all' && delivery.integrationId !== filter.integrationId) return false;
    if (filter.outcome !== 'all' && delivery.outcome !== filter.outcome) return false;
    if (filter.reason !== 'all' && delivery.reason !== filter.reason) return false;
    if (search.deliveryId !== '' && delivery.deliveryId !== search.deliveryId) return false;
    if (search.requestId !== '' && delivery.requestId !== search.requestId) return false;
    if (search.sourceIp !== '' && delivery.sourceIp !== search.sourceIp) return false;
    if (text === '') return true;
    return [delivery.integrationId, delivery.reason, delivery.diagnosis, delivery.sourceIp, delivery.deliveryId, delivery.requestId].some((field) => field?.toLowerCase().includes(text));
  };
}

export const matchesLive = (delivery: FleetDelivery, filter: LiveFilter): boolean => liveMatcher(filter)(delivery);

export const sameFilter = (a: LiveFilter, b: LiveFilter): boolean => (Object.keys(NO_FILTER) as (keyof LiveFilter)[]).every((field) => a[field] === b[field]);

/** Query parameter of each field in a link (`#live?integration=pay&outcome=rejected`). */
const PARAMS: { readonly [F in keyof LiveFilter]: string } = {
  fleetId: 'fleet',
  node: 'node',
  integrationId: 'integration',
  outcome: 'outcome',
  reason: 'reason',
  deliveryId: 'delivery',
  requestId: 'request',
  sourceIp: 'source',
  text: 'text',
};

/** A filter carried in the address, so other screens can link to matching deliveries and a view can be shared. */
export function filterFromQuery(query: string): LiveFilter {
  const params = new URLSearchParams(query);
  const outcome = params.get(PARAMS.outcome);
  const reason = params.get(PARAMS.reason);
  const text = (field: 'deliveryId' | 'requestId' | 'sourceIp' | 'text') => params.get(PARAMS[field]) ?? '';
  return {
    fleetId: params.get(PARAMS.fleetId) ?? 'all',
    node: params.get(PARAMS.node) ?? 'all',
    integrationId: params.get(PARAMS.integrationId) ?? 'all',
    outcome: outcome && (OUTCOMES as readonly string[]).includes(outcome) ? (outcome as Outcome) : 'all',
    reason: reason && (REASONS as readonly string[]).includes(reason) ? (reason as Reason) : 'all',
    deliveryId: text('deliveryId'),
    requestId: text('requestId'),
    sourceIp: text('sourceIp'),
    text: text('text'),
  };
}

/** A link to Live showing the deliveries that match `filter` (fields left out match everything). */
export function liveHref(filter: Partial<LiveFilter>): string {
  const params = new URLSearchParams();
  for (const field of Object.keys(PARAMS) as (keyof LiveFilter)[]) {
    const value = filter[field];
    if (value && value !== 'all') params.set(PARAMS[field], value);
  }
  const query = params.toString();
  return query ? `#live?${query}` : '#live';
}
