import { useMemo, useState } from 'react';
import { LOCAL_FLEET_ID, type FleetDelivery } from '../../../../shared/contract/console.js';
import { ErrorText } from '../../components/ErrorText.js';
import { useFleets } from '../../queries/commands.js';
import { useFleetName } from '../../queries/fleet-names.js';
import { useLiveDeliveries } from '../../queries/live-deliveries.js';
import { mergeNewestFirst } from '../../queries/live-list.js';
import { DeliveryDrawer } from './DeliveryDrawer.js';
import { matchesLive, NO_FILTER, type LiveFilter } from './live-filter.js';
import { LiveFilters } from './LiveFilters.js';
import { LiveList, type DeliveryRef } from './LiveList.js';
import { StreamStatus } from './StreamStatus.js';
import { useEarlierDeliveries } from './use-earlier-deliveries.js';

/** What the list showed when the operator paused it, and how many had arrived by then. */
interface PausedAt {
  readonly deliveries: readonly FleetDelivery[];
  readonly received: number;
}

/** The merged stream of every node, newest first; virtualised, so a hundred thousand rows scroll as smoothly as ten. */
export function LiveScreen({ initialFilter = NO_FILTER }: { initialFilter?: LiveFilter }) {
  const live = useLiveDeliveries();
  const fleets = useFleets();
  const fleetName = useFleetName();
  const [filter, setFilter] = useState<LiveFilter>(initialFilter);
  const [paused, setPaused] = useState<PausedAt | undefined>();
  const [open, setOpen] = useState<DeliveryRef | undefined>();
  const earlier = useEarlierDeliveries(filter);

  const shown = paused?.deliveries ?? live.deliveries;
  const rows = useMemo(() => mergeNewestFirst(shown, earlier.deliveries).filter((delivery) => matchesLive(delivery, filter)), [shown, earlier.deliveries, filter]);
  const fleetIds = useMemo(() => [...new Set([...(fleets.data ?? []).map((fleet) => fleet.id), LOCAL_FLEET_ID])], [fleets.data]);
  const integrations = useMemo(
    () => [...new Set(live.deliveries.slice(0, 5_000).flatMap((delivery) => (delivery.integrationId ? [delivery.integrationId] : [])))].sort(),
    [live.deliveries],
  );
  const arrivedWhilePaused = paused ? live.received - paused.received : 0;

  return (
    <section aria-labelledby="live-title" className="live">
      <header className="screen-header">
        <h1 id="live-title">Live</h1>
        <LiveFilters filter={filter} onChange={setFilter} fleets={fleetIds} integrations={integrations} fleetName={fleetName} />
        <button
          type="button"
          className={paused ? undefined : 'secondary'}
          onClick={() => setPaused(paused ? undefined : { deliveries: live.deliveries, received: live.received })}
          aria-pressed={paused !== undefined}>
          {paused ? `Resume (${arrivedWhilePaused} new)` : 'Pause'}
        </button>
      </header>
      <StreamStatus fleetName={fleetName} />
      <p className="muted" aria-live="polite">
        {rows.length} shown of {shown.length}
        {earlier.deliveries.length > 0 ? `, with the last ${earlier.deliveries.length} from the nodes' history` : ''}
        {paused ? ' — paused' : ''}
        {live.dropped > 0 ? ` — ${live.dropped} not shown because the screen could not keep up` : ''}
        {earlier.loading ? ' — loading earlier deliveries…' : ''}
      </p>
      <ErrorText error={earlier.error} />
      <LiveList rows={rows} fleetName={fleetName} onOpen={setOpen} />
      {open && <DeliveryDrawer at={open} onClose={() => setOpen(undefined)} />}
    </section>
  );
}
