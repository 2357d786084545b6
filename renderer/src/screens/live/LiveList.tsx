import { memo, useLayoutEffect, useRef, useState, type RefObject } from 'react';
import type { FleetDelivery } from '../../../../shared/contract/console.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { deliveryKey } from '../../queries/live-log.js';
import { viewNewestAt, viewSize, type FilteredView } from './filtered-view.js';
import { clockTime, preciseTime } from './precise-time.js';

/** Every row has this height: the virtualiser then never measures, and a hundred thousand rows scroll like ten. */
export const ROW_HEIGHT = 32;

export interface DeliveryRef {
  readonly fleetId: string;
  readonly nodeUrl: string;
  readonly requestId: string;
}

/** Memoised: a batch moves the rows already shown (their `top`), and re-renders nothing else of theirs. */
const LiveRow = memo(function LiveRow({ delivery, fleetName, onOpen, top }: { delivery: FleetDelivery; fleetName: string; onOpen: (ref: DeliveryRef) => void; top: number }) {
  const open = () => onOpen({ fleetId: delivery.fleetId, nodeUrl: delivery.nodeUrl, requestId: delivery.requestId });
  const shownTime = clockTime(delivery.receivedAt);
  return (
    <div
      role="listitem"
      tabIndex={0}
      aria-label={`${delivery.outcome} ${delivery.status} ${delivery.integrationId ?? 'no integration'} ${delivery.reason ?? ''} on ${delivery.nodeId} at ${shownTime}: open details`}
      onClick={open}
      onKeyDown={(event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          open();
        }
      }}
      className={`live-row outcome-${delivery.outcome}`}
      style={{ transform: `translateY(${top}px)`, height: ROW_HEIGHT }}>
      <span title={preciseTime(delivery.receivedAt)}>{shownTime}</span>
      <span className="cell">{fleetName}</span>
      <span className="cell" title={delivery.nodeUrl}>
        {delivery.nodeId}
      </span>
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
});

/** Rows rendered above and below the visible ones, so that a quick scroll does not show blanks. */
const OVERSCAN = 10;

/**
 * Which rows are in view: with one fixed row height this is arithmetic on the scroll position, so
 * a batch that adds rows costs nothing here (a general virtualiser re-measures every row when the
 * count changes: 100,000 per batch).
 */
function useVisibleRange(scroller: RefObject<HTMLDivElement | null>, count: number): { first: number; last: number } {
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(0);
  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const measure = () => setHeight(element.clientHeight);
    measure();
    const onScroll = () => setScrollTop(element.scrollTop);
    element.addEventListener('scroll', onScroll, { passive: true });
    const observer = typeof ResizeObserver === 'undefined' ? undefined : new ResizeObserver(measure);
    observer?.observe(element);
    return () => {
      element.removeEventListener('scroll', onScroll);
      observer?.disconnect();
    };
  }, [scroller]);
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(count, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  return { first, last };
}

/** The matching deliveries, newest first; only the rows in view (and a few around them) are in the page. */
export function LiveList({ view, fleetName, onOpen }: { view: FilteredView; fleetName: (fleetId: string) => string; onOpen: (ref: DeliveryRef) => void }) {
  const scroller = useRef<HTMLDivElement>(null);
  const count = viewSize(view);
  const { first, last } = useVisibleRange(scroller, count);
  const rows = [];
  for (let index = first; index < last; index++) {
    const delivery = viewNewestAt(view, index);
    // Keyed by node and seq: a row keeps its element while newer rows push it down.
    if (delivery) rows.push(<LiveRow key={deliveryKey(delivery)} delivery={delivery} fleetName={fleetName(delivery.fleetId)} onOpen={onOpen} top={index * ROW_HEIGHT} />);
  }
  return (
    <>
      <div className="live-head live-row" aria-hidden="true">
        <span>Time</span>
        <span>Fleet</span>
        <span>Node</span>
        <span>Integration</span>
        <span>Status</span>
        <span>Outcome</span>
        <span>Reason</span>
        <span>Source</span>
      </div>
      <div ref={scroller} className="live-scroller" role="list" aria-label="Deliveries, newest first">
        <div style={{ height: count * ROW_HEIGHT, position: 'relative' }}>{rows}</div>
        {count === 0 && <p className="muted empty-list">No delivery matches yet. New ones appear here as the nodes receive them.</p>}
      </div>
    </>
  );
}
