import { useQueries } from '@tanstack/react-query';
import { useRef } from 'react';
import type { CommandResult } from '../../../../shared/contract/console.js';
import { useApi } from '../../api/context.js';
import { commandKey } from '../../queries/console-queries.js';
import { windowStart } from '../../queries/time-window.js';
import { trafficByIntegration, type TrafficPoint } from './traffic.js';

const HOUR_MS = 3_600_000;
const NONE: readonly TrafficPoint[] = [];

type Shaped = Map<string, TrafficPoint[]>;

/** Hourly traffic of the last day, one stats query per fleet, for the inventory's sparklines. */
export function useInventoryTraffic(fleetIds: readonly string[]): (fleetId: string, integrationId: string) => readonly TrafficPoint[] {
  const api = useApi();
  const since = windowStart(24 * HOUR_MS, HOUR_MS);
  const answers = useQueries({
    queries: fleetIds.map((fleetId) => {
      const input = { fleetId, since: new Date(since).toISOString(), step: 3_600 };
      return { queryKey: commandKey('stats.get', input), queryFn: () => api.invoke('stats.get', input), refetchInterval: 60_000 };
    }),
  });
  // Shaped once per answer, not once per render: an answer keeps its identity until it is refetched.
  const shapedByAnswer = useRef(new WeakMap<CommandResult<'stats.get'>, Shaped>());
  const shaped = (answer: CommandResult<'stats.get'>): Shaped => {
    let traffic = shapedByAnswer.current.get(answer);
    if (!traffic) {
      traffic = trafficByIntegration(
        answer.flatMap((node) => (node.stats ? [node.stats] : [])),
        { since, until: Date.now(), stepSeconds: 3_600 },
      );
      shapedByAnswer.current.set(answer, traffic);
    }
    return traffic;
  };
  return (fleetId, integrationId) => {
    const answer = answers[fleetIds.indexOf(fleetId)]?.data;
    return (answer && shaped(answer).get(integrationId)) ?? NONE;
  };
}
