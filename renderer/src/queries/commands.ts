import type { CommandInput } from '../../../shared/contract/console.js';
import { useCommandQuery } from './console-queries.js';

/**
 * One hook per read command, with how fresh each must be: inventories and stats refresh on a slow
 * timer (live traffic reaches the screens through the `deliveries` event, not through polling).
 */
export const useFleets = () => useCommandQuery('fleets.list', {}, { refetchInterval: 30_000 });

export const useIntegrations = (fleetId?: string) => useCommandQuery('integrations.list', fleetId ? { fleetId } : {}, { refetchInterval: 15_000 });

export const useStats = (input: CommandInput<'stats.get'>, options: { enabled?: boolean; refetchInterval?: number } = {}) =>
  useCommandQuery('stats.get', input, { refetchInterval: 30_000, ...options });

export const useDeliveryPage = (input: CommandInput<'deliveries.list'>, enabled = true) => useCommandQuery('deliveries.list', input, { enabled });

export const useDeliveryDetail = (input: CommandInput<'deliveries.get'>) => useCommandQuery('deliveries.get', input);

export const useCapturedRequest = (input: CommandInput<'deliveries.raw'>, enabled = true) => useCommandQuery('deliveries.raw', input, { enabled });


export const useLocalReceiverStatus = () => useCommandQuery('localReceiver.status', {});
