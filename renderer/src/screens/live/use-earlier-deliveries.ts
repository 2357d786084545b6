import type { FleetDelivery } from '../../../../shared/contract/console.js';
import { useDeliveryPage } from '../../queries/commands.js';
import type { LiveFilter } from './live-filter.js';

const EARLIER_LIMIT = 500;
const NONE: readonly FleetDelivery[] = [];

/**
 * With one fleet chosen (a link from Failures, say), the nodes' recent history matching the filter:
 * the live list only holds what arrived since the console started, and a failure charted an hour
 * ago must still be one click away. Fetched once per filter, never polled: new deliveries come live.
 */
export function useEarlierDeliveries(filter: LiveFilter): { readonly deliveries: readonly FleetDelivery[]; readonly loading: boolean; readonly error: unknown } {
  const enabled = filter.fleetId !== 'all';
  const page = useDeliveryPage(
    {
      fleetId: enabled ? filter.fleetId : 'local',
      limit: EARLIER_LIMIT,
      ...(filter.integrationId !== 'all' ? { integrationId: filter.integrationId } : {}),
      ...(filter.outcome !== 'all' ? { outcome: [filter.outcome] } : {}),
    },
    enabled,
  );
  return { deliveries: enabled ? (page.data?.deliveries ?? NONE) : NONE, loading: enabled && page.isPending, error: page.error };
}
