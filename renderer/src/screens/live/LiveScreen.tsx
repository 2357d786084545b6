import { useCallback, useEffect, useMemo, useState } from 'react';
import { LOCAL_FLEET_ID } from '../../../../shared/contract/console.js';
import { useFleets, useIntegrations } from '../../queries/commands.js';
import { useFleetName } from '../../queries/fleet-names.js';
import { useLiveDeliveries } from '../../queries/live-deliveries.js';
import { logSize, type LiveLog } from '../../queries/live-log.js';
import { DeliveryDrawer } from './DeliveryDrawer.js';
import { useFilteredView, viewNewestFirst, viewSize, type FilteredView } from './filtered-view.js';
import { deliveriesCsv, deliveriesJson, download } from './live-export.js';
import { liveHref, NO_FILTER, searchOf, type LiveFilter } from './live-filter.js';
import { LiveFilters, type NodeOption } from './LiveFilters.js';
import { LiveList, type DeliveryRef } from './LiveList.js';
import { StreamStatus } from './StreamStatus.js';
import { useLiveHistory } from './use-live-history.js';

/** Typing in a search field asks the nodes once the operator pauses, not once per key. */
const SEARCH_SETTLE_MS = 300;

function useSettled(filter: LiveFilter): LiveFilter {
  const [settled, setSettled] = useState(filter);
  const search = searchOf(filter);
  const typing = search.deliveryId !== searchOf(settled).deliveryId || search.requestId !== searchOf(settled).requestId || search.sourceIp !== searchOf(settled).sourceIp;
  useEffect(() => {
    if (!typing) return setSettled(filter);
    const timer = setTimeout(() => setSettled(filter), SEARCH_SETTLE_MS);
    return () => clearTimeout(timer);
  }, [filter, typing]);
  return typing ? settled : filter;
}

function ExportView({ view }: { view: FilteredView }) {
  const stamp = () => new Date().toISOString().replaceAll(':', '-').slice(0, 19);
  return (
    <div className="actions" role="group" aria-label="Export the deliveries shown">
      <button type="button" className="secondary" disabled={viewSize(view) === 0} onClick={() => download(deliveriesCsv(viewNewestFirst(view)), 'text/csv', `hookwarden-deliveries-${stamp()}.csv`)}>
        Export CSV
      </button>
      <button
        type="button"
        className="secondary"
        disabled={viewSize(view) === 0}
        onClick={() => download(deliveriesJson(viewNewestFirst(view)), 'application/json', `hookwarden-deliveries-${stamp()}.json`)}>
        Export JSON
      </button>
    </div>
  );
}

/**
 * What changes with every batch: the counts, the pause button, the export and the list. Kept apart
 * from the filters and the history queries, so that ten batches a second re-render only this.
 */
function LiveBody({ filter, historyLoading, fleetName, onOpen }: { filter: LiveFilter; historyLoading: boolean; fleetName: (fleetId: string) => string; onOpen: (ref: DeliveryRef) => void }) {
  const live = useLiveDeliveries();
  const [paused, setPaused] = useState<LiveLog | undefined>();
  const shown = paused ?? live;
  const view = useFilteredView(shown, filter);
  const arrivedWhilePaused = paused ? live.received - paused.received : 0;
  return (
    <>
      <div className="live-toolbar">
        <button type="button" className={paused ? undefined : 'secondary'} onClick={() => setPaused(paused ? undefined : live)} aria-pressed={paused !== undefined}>
          {paused ? `Resume (${arrivedWhilePaused} new)` : 'Pause'}
        </button>
        <p className="muted" aria-live="polite">
          {viewSize(view)} shown of {logSize(shown)}
          {paused ? ' — paused' : ''}
          {live.dropped > 0 ? ` — ${live.dropped} not shown because the screen could not keep up` : ''}
          {historyLoading ? ' — loading the nodes\u2019 recent log…' : ''}
        </p>
        <ExportView view={view} />
      </div>
      <LiveList view={view} fleetName={fleetName} onOpen={onOpen} />
    </>
  );
}

/**
 * The fleets' deliveries, newest first: the nodes' recent log, then the merged stream. The filter
 * lives in the address, so a view can be shared; virtualised and filtered incrementally, so a
 * hundred thousand rows under a burst stay smooth.
 */
export function LiveScreen({ initialFilter = NO_FILTER }: { initialFilter?: LiveFilter }) {
  const fleets = useFleets();
  const fleetName = useFleetName();
  const integrationList = useIntegrations();
  const [filter, setFilter] = useState<LiveFilter>(initialFilter);
  const [open, setOpen] = useState<DeliveryRef | undefined>();
  const history = useLiveHistory(useSettled(filter));

  // Replaced, not pushed: Back leaves Live rather than stepping through every keystroke.
  useEffect(() => window.history.replaceState(null, '', liveHref(filter)), [filter]);

  const fleetIds = useMemo(() => [...new Set([...(fleets.data ?? []).map((fleet) => fleet.id), LOCAL_FLEET_ID])], [fleets.data]);
  const nodes = useMemo<NodeOption[]>(
    () => (fleets.data ?? []).flatMap((fleet) => fleet.nodes.map((node) => ({ fleetId: fleet.id, url: node.url, label: `${node.nodeId ?? node.url} (${fleet.name})` }))),
    [fleets.data],
  );
  const integrations = useMemo(() => [...new Set((integrationList.data ?? []).map((integration) => integration.id))].sort(), [integrationList.data]);
  const close = useCallback(() => setOpen(undefined), []);

  return (
    <section aria-labelledby="live-title" className="live">
      <header className="screen-header">
        <h1 id="live-title">Live</h1>
        <LiveFilters filter={filter} onChange={setFilter} fleets={fleetIds} nodes={nodes} integrations={integrations} fleetName={fleetName} />
      </header>
      <StreamStatus fleetName={fleetName} />
      {history.problems.length > 0 && (
        <p className="warn-text" role="status">
          Partial history: {history.problems.join('; ')}
        </p>
      )}
      <LiveBody filter={filter} historyLoading={history.loading} fleetName={fleetName} onOpen={setOpen} />
      {open && <DeliveryDrawer at={open} onClose={close} />}
    </section>
  );
}
