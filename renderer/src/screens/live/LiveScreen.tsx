import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState } from 'react';
import { OUTCOMES, REASONS } from '../../../../shared/model/outcomes.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { useFleetName } from '../../queries/fleet-names.js';
import { useLiveDeliveries } from '../../queries/live-deliveries.js';
import { DeliveryDrawer } from './DeliveryDrawer.js';
import { matchesLive, NO_FILTER, type LiveFilter } from './live-filter.js';

const ROW_HEIGHT = 32;

/** The merged stream of every node, newest first; virtualised, so a hundred thousand rows scroll as smoothly as ten. */
export function LiveScreen({ initialFilter = NO_FILTER }: { initialFilter?: LiveFilter }) {
  const live = useLiveDeliveries();
  const fleetName = useFleetName();
  const [filter, setFilter] = useState<LiveFilter>(initialFilter);
  const [paused, setPaused] = useState<typeof live.deliveries | undefined>();
  const shown = paused ?? live.deliveries;
  const rows = useMemo(() => shown.filter((delivery) => matchesLive(delivery, filter)), [shown, filter]);
  const fleets = useMemo(() => [...new Set(live.deliveries.map((delivery) => delivery.fleetId))], [live.deliveries]);
  const integrations = useMemo(() => [...new Set(live.deliveries.flatMap((delivery) => (delivery.integrationId ? [delivery.integrationId] : [])))].sort(), [live.deliveries]);
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 20 });
  const [open, setOpen] = useState<{ fleetId: string; nodeUrl: string; requestId: string } | undefined>();
  const arrivedWhilePaused = paused ? live.deliveries.length - paused.length : 0;

  return (
    <section aria-labelledby="live-title" className="live">
      <header className="screen-header">
        <h1 id="live-title">Live</h1>
        <div className="filters">
          <label>
            Fleet
            <select value={filter.fleetId} onChange={(event) => setFilter({ ...filter, fleetId: event.target.value })}>
              <option value="all">all</option>
              {fleets.map((fleet) => (
                <option key={fleet} value={fleet}>
                  {fleetName(fleet)}
                </option>
              ))}
            </select>
          </label>
          <label>
            Integration
            <select value={filter.integrationId} onChange={(event) => setFilter({ ...filter, integrationId: event.target.value })}>
              <option value="all">all</option>
              {integrations.map((integration) => (
                <option key={integration}>{integration}</option>
              ))}
            </select>
          </label>
          <label>
            Outcome
            <select value={filter.outcome} onChange={(event) => setFilter({ ...filter, outcome: event.target.value as LiveFilter['outcome'] })}>
              <option value="all">all</option>
              {OUTCOMES.map((outcome) => (
                <option key={outcome}>{outcome}</option>
              ))}
            </select>
          </label>
          <label>
            Reason
            <select value={filter.reason} onChange={(event) => setFilter({ ...filter, reason: event.target.value as LiveFilter['reason'] })}>
              <option value="all">all</option>
              {REASONS.map((reason) => (
                <option key={reason}>{reason}</option>
              ))}
            </select>
          </label>
          <label>
            Search
            <input type="search" value={filter.text} onChange={(event) => setFilter({ ...filter, text: event.target.value })} placeholder="integration, reason, address" />
          </label>
          <button onClick={() => setPaused(paused ? undefined : live.deliveries)} aria-pressed={paused !== undefined}>
            {paused ? `Resume (${arrivedWhilePaused} new)` : 'Pause'}
          </button>
        </div>
      </header>
      <p className="muted" aria-live="polite">
        {rows.length} shown of {live.deliveries.length}
        {live.dropped > 0 ? ` — ${live.dropped} dropped because the screen could not keep up` : ''}
      </p>
      <div className="live-head live-row" aria-hidden="true">
        <span>Time</span>
        <span>Fleet</span>
        <span>Integration</span>
        <span>Status</span>
        <span>Outcome</span>
        <span>Reason</span>
        <span>Source</span>
      </div>
      <div ref={scroller} className="live-scroller" role="list" aria-label="Deliveries, newest first">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const delivery = rows[item.index];
            if (!delivery) return null;
            return (
              <div
                key={item.key}
                role="listitem"
                tabIndex={0}
                aria-label={`${delivery.outcome} ${delivery.status} ${delivery.integrationId ?? ''}: open details`}
                onClick={() => setOpen({ fleetId: delivery.fleetId, nodeUrl: delivery.nodeUrl, requestId: delivery.requestId })}
                onKeyDown={(event) => {
                  if (event.key === 'Enter') setOpen({ fleetId: delivery.fleetId, nodeUrl: delivery.nodeUrl, requestId: delivery.requestId });
                }}
                className="live-row"
                style={{ position: 'absolute', top: 0, transform: `translateY(${item.start}px)`, height: ROW_HEIGHT, width: '100%' }}>
                <span>{new Date(delivery.receivedAt).toLocaleTimeString()}</span>
                <span>{fleetName(delivery.fleetId)}</span>
                <span>{delivery.integrationId ?? '—'}</span>
                <span>{delivery.status}</span>
                <StatusBadge status={delivery.outcome} />
                <span>{delivery.reason ?? ''}{delivery.diagnosis ? ` (${delivery.diagnosis.replaceAll('_', ' ')})` : ''}</span>
                <span>{delivery.sourceIp}</span>
              </div>
            );
          })}
        </div>
      </div>
      {open && <DeliveryDrawer {...open} onClose={() => setOpen(undefined)} />}
    </section>
  );
}
