import { useQueries, useQueryClient } from '@tanstack/react-query';
import { LOCAL_FLEET_ID, type CommandInput } from '../../../../shared/contract/console.js';
import { useApi } from '../../api/context.js';
import { useFleets, useLocalReceiverStatus } from '../../queries/commands.js';
import { commandKey } from '../../queries/console-queries.js';
import { LIVE_KEY, useFeedOpen } from '../../queries/live-deliveries.js';
import { EMPTY_LIVE, mergeHistory, type LiveLog } from '../../queries/live-log.js';
import { searchOf, type LiveFilter } from './live-filter.js';

/** Deliveries fetched from each fleet's log when Live opens or the filter changes. */
export const HISTORY_LIMIT = 500;

export interface LiveHistory {
  readonly loading: boolean;
  /** Fleets whose log could not be read, and nodes that did not answer, in words. */
  readonly problems: readonly string[];
}

/** What each fleet in view is asked for: the filter's fields the nodes can search by, the rest stays in the console. */
function historyInputs(filter: LiveFilter, fleets: readonly { id: string; nodes: readonly { url: string }[] }[]): CommandInput<'deliveries.list'>[] {
  const search = searchOf(filter);
  const inScope = fleets.filter(
    (fleet) => (filter.fleetId === 'all' || fleet.id === filter.fleetId) && (filter.node === 'all' || fleet.nodes.some((node) => node.url === filter.node)),
  );
  return inScope.map((fleet) => ({
    fleetId: fleet.id,
    limit: HISTORY_LIMIT,
    ...(filter.node !== 'all' && fleet.id !== LOCAL_FLEET_ID ? { nodeUrl: filter.node } : {}),
    ...(filter.integrationId !== 'all' ? { integrationId: filter.integrationId } : {}),
    ...(filter.outcome !== 'all' ? { outcome: [filter.outcome] } : {}),
    ...(filter.reason !== 'all' ? { reason: [filter.reason] } : {}),
    ...(search.deliveryId ? { deliveryId: search.deliveryId } : {}),
    ...(search.requestId ? { requestId: search.requestId } : {}),
    ...(search.sourceIp ? { sourceIp: search.sourceIp } : {}),
  }));
}

/**
 * The nodes' recent log, newest first, merged into the live log: Live opens with what happened
 * before this window existed, and a search reaches back past what the console held. Asked only once
 * the event channel is open (see useLiveFeed), so nothing falls between the history and the stream;
 * what both bring is held once (node and seq). Never polled: new deliveries come live.
 */
export function useLiveHistory(filter: LiveFilter): LiveHistory {
  const api = useApi();
  const queryClient = useQueryClient();
  const feedOpen = useFeedOpen();
  const fleets = useFleets();
  const local = useLocalReceiverStatus();
  const sources = [
    ...(fleets.data ?? []).map((fleet) => ({ id: fleet.id, nodes: fleet.nodes })),
    ...(local.data?.running && local.data.url ? [{ id: LOCAL_FLEET_ID, nodes: [{ url: local.data.url }] }] : []),
  ];
  const inputs = historyInputs(filter, sources);
  const answers = useQueries({
    queries: inputs.map((input) => ({
      queryKey: commandKey('deliveries.list', input),
      // Merged as it arrives, not when the screen next reads it: a page the operator's next search made
      // this screen stop asking for (the nodes answered slowly) still holds what it brought.
      queryFn: async () => {
        const page = await api.invoke('deliveries.list', input);
        queryClient.setQueryData<LiveLog>(LIVE_KEY, (log) => mergeHistory(log ?? EMPTY_LIVE, page.deliveries));
        return page;
      },
      enabled: feedOpen,
      staleTime: Infinity,
    })),
  });

  const problems = answers.flatMap((answer, index) => {
    const fleetId = inputs[index]?.fleetId ?? '';
    if (answer.error) return [`${fleetId}: ${answer.error.message}`];
    return (answer.data?.errors ?? []).map((failed) => `${fleetId} ${failed.url}: ${failed.error}`);
  });
  return {
    loading: !feedOpen || fleets.isPending || answers.some((answer) => answer.isPending),
    problems,
  };
}
