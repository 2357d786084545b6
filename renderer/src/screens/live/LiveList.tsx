import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import type { FleetDelivery } from '../../../../shared/contract/console.js';
import { StatusBadge } from '../../components/StatusBadge.js';

/** Every row has this height: the virtualiser then never measures, and a hundred thousand rows scroll like ten. */
export const ROW_HEIGHT = 32;

export interface DeliveryRef {
  readonly fleetId: string;
  readonly nodeUrl: string;
  readonly requestId: string;
}

function LiveRow({ delivery, fleetName, onOpen, top }: { delivery: FleetDelivery; fleetName: string; onOpen: (ref: DeliveryRef) => void; top: number }) {
  const open = () => onOpen({ fleetId: delivery.fleetId, nodeUrl: delivery.nodeUrl, requestId: delivery.requestId });
  return (
    <div
      role="listitem"
      tabIndex={0}
      aria-label={`${delivery.outcome} ${delivery.status} ${delivery.integrationId ?? 'no integration'} ${delivery.reason ?? ''} at ${new Date(delivery.receivedAt).toLocaleTimeString()}: open details`}
      onClick={open}
      onKeyDown={(event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          open();
        }
      }}
      className={`live-row outcome-${delivery.outcome}`}
      style={{ transform: `translateY(${top}px)`, height: ROW_HEIGHT }}>
      <span>{new Date(delivery.receivedAt).toLocaleTimeString()}</span>
      <span className="cell">{fleetName}</span>
      <span className="cell">{delivery.integrationId ?? '—'}</span>
      <span>{delivery.status}</span>
      <StatusBadge status={delivery.outcome} />
      <span className="cell">
        {delivery.reason ?? ''}
        {delivery.diagnosis ? ` (${delivery.diagnosis.replaceAll('_', ' ')})` : ''}
      </span>
      <span className="cell">{delivery.sourceIp}</span>
    </div>
  );
}

/** The merged stream, newest first; only the rows in view (and a few around them) are in the page. */
export function LiveList({ rows, fleetName, onOpen }: { rows: readonly FleetDelivery[]; fleetName: (fleetId: string) => string; onOpen: (ref: DeliveryRef) => void }) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
    getItemKey: (index) => {
      const delivery = rows[index];
      return delivery ? `${delivery.fleetId}/${delivery.requestId}` : index;
    },
  });
  return (
    <>
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
            return delivery ? <LiveRow key={item.key} delivery={delivery} fleetName={fleetName(delivery.fleetId)} onOpen={onOpen} top={item.start} /> : null;
          })}
        </div>
        {rows.length === 0 && <p className="muted empty-list">No delivery matches yet. New ones appear here as the nodes receive them.</p>}
      </div>
    </>
  );
}
