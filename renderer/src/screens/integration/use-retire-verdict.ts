import { useStats } from '../../queries/commands.js';
import { windowStart } from '../../queries/time-window.js';
import { cutoverSeries, QUIET_BEFORE_RETIRE_MS, retireVerdict, type RetireVerdict } from './cutover.js';

/**
 * The retire verdict from minute buckets of the last quarter hour: the cutover chart's buckets may
 * be hours wide, too coarse to tell what happened in the last fifteen minutes.
 */
export function useRetireVerdict(fleetId: string, integrationId: string, now: number): (oldSecretId: string, newSecretId: string) => RetireVerdict | undefined {
  const since = windowStart(QUIET_BEFORE_RETIRE_MS, 60_000, now);
  const stats = useStats({ fleetId, since: new Date(since).toISOString(), step: 60 }, { refetchInterval: 15_000 });
  if (!stats.data) return () => undefined;
  const series = cutoverSeries(
    stats.data.flatMap((node) => (node.stats ? [node.stats] : [])),
    integrationId,
  );
  return (oldSecretId, newSecretId) => retireVerdict(series, oldSecretId, newSecretId, now);
}
