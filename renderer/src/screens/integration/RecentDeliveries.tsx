import { useMemo, useState } from 'react';
import { time } from '../../components/format.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { useDeliveryPage } from '../../queries/commands.js';
import { useLiveDeliveries } from '../../queries/live-deliveries.js';
import { mergeNewestFirst, takeNewest } from '../../queries/live-log.js';
import { DeliveryDrawer } from '../live/DeliveryDrawer.js';
import type { DeliveryRef } from '../live/LiveList.js';
import { liveHref } from '../live/live-filter.js';

const SHOWN = 20;

/** The integration's latest deliveries: fetched once, then kept current by the live feed. */
export function RecentDeliveries({ fleetId, integrationId }: { fleetId: string; integrationId: string }) {
  const page = useDeliveryPage({ fleetId, integrationId, limit: SHOWN });
  const live = useLiveDeliveries();
  const [open, setOpen] = useState<DeliveryRef | undefined>();
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
      {rows.length === 0 ? (
        <p className="muted">No delivery yet.</p>
      ) : (
        <table aria-label="Recent deliveries">
          <thead>
            <tr>
              <th>Time</th>
              <th>Node</th>
              <th>Status</th>
              <th>Outcome</th>
              <th>Reason</th>
              <th>Secret</th>
              <th>
                <span className="visually-hidden">Details</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((delivery) => (
              <tr key={delivery.requestId}>
                <td>{time(delivery.receivedAt)}</td>
                <td>{delivery.nodeId}</td>
                <td>{delivery.status}</td>
                <td>
                  <StatusBadge status={delivery.outcome} />
                </td>
                <td>{delivery.reason ?? ''}</td>
                <td>{delivery.secretId ?? ''}</td>
                <td>
                  <button
                    type="button"
                    className="link"
                    aria-label={`Details of the delivery at ${time(delivery.receivedAt)}`}
                    onClick={() => setOpen({ fleetId: delivery.fleetId, nodeUrl: delivery.nodeUrl, requestId: delivery.requestId })}>
                    Details
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open && <DeliveryDrawer at={open} onClose={() => setOpen(undefined)} />}
    </section>
  );
}
