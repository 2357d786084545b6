import { useMemo, useState } from 'react';
import { LOCAL_FLEET_ID } from '../../../../shared/contract/console.js';
import { time } from '../../components/format.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { useLiveDeliveries } from '../../queries/live-deliveries.js';
import { takeNewest } from '../../queries/live-log.js';
import { DeliveryDrawer } from '../live/DeliveryDrawer.js';
import type { DeliveryRef } from '../live/LiveList.js';

const SHOWN = 20;

/** What the local receiver verified, as it arrives. */
export function LocalLiveList() {
  const live = useLiveDeliveries();
  const [open, setOpen] = useState<DeliveryRef | undefined>();
  const received = useMemo(() => takeNewest(live, SHOWN, (delivery) => delivery.fleetId === LOCAL_FLEET_ID), [live]);

  return (
    <section className="card" aria-labelledby="local-live-title">
      <h2 id="local-live-title">Received here, live</h2>
      {received.length === 0 ? (
        <p className="muted">Nothing yet: send a test delivery, or point a sender at the URL above.</p>
      ) : (
        <table aria-label="Local deliveries">
          <thead>
            <tr>
              <th>Time</th>
              <th>Integration</th>
              <th>Status</th>
              <th>Outcome</th>
              <th>Verification</th>
              <th>
                <span className="visually-hidden">Details</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {received.map((delivery) => (
              <tr key={delivery.requestId}>
                <td>{time(delivery.receivedAt)}</td>
                <td>{delivery.integrationId ?? '—'}</td>
                <td>{delivery.status}</td>
                <td>
                  <StatusBadge status={delivery.outcome} />
                </td>
                <td>
                  {delivery.secretId ? `verified with secret ${delivery.secretId}` : (delivery.reason ?? '')}
                  {delivery.diagnosis ? ` (${delivery.diagnosis.replaceAll('_', ' ')})` : ''}
                </td>
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
