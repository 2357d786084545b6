import { useMemo } from 'react';
import { useDeliveryPage } from '../../queries/commands.js';
import { useLiveDeliveries } from '../../queries/live-deliveries.js';
import { mergeNewestFirst, takeNewest } from '../../queries/live-log.js';
import { liveHref } from '../live/live-filter.js';
import { RecentDeliveryTable, type DeliveryColumn } from '../live/RecentDeliveryTable.js';

const SHOWN = 20;
const NODE: readonly DeliveryColumn[] = [{ header: 'Node', cell: (delivery) => delivery.nodeId }];
const WHY: readonly DeliveryColumn[] = [
  { header: 'Reason', cell: (delivery) => delivery.reason ?? '' },
  { header: 'Secret', cell: (delivery) => delivery.secretId ?? '' },
];

/** The integration's latest deliveries: fetched once, then kept current by the live feed. */
export function RecentDeliveries({ fleetId, integrationId }: { fleetId: string; integrationId: string }) {
  const page = useDeliveryPage({ fleetId, integrationId, limit: SHOWN });
  const live = useLiveDeliveries();
  const rows = useMemo(() => {
    const mine = takeNewest(live, SHOWN, (delivery) => delivery.fleetId === fleetId && delivery.integrationId === integrationId);
    return mergeNewestFirst(mine, page.data?.deliveries ?? []).slice(0, SHOWN);
  }, [live, page.data, fleetId, integrationId]);

  return (
    <section className="card" aria-labelledby="recent-title">
      <header className="card-header">
        <h2 id="recent-title">Recent deliveries</h2>
        <a href={liveHref({ fleetId, integrationId })}>All in Live</a>
      </header>
      {rows.length === 0 ? <p className="muted">No delivery yet.</p> : <RecentDeliveryTable label="Recent deliveries" rows={rows} before={NODE} after={WHY} />}
    </section>
  );
}
