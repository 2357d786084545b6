import { useMemo } from 'react';
import { LOCAL_FLEET_ID } from '../../../../shared/contract/console.js';
import { useLiveDeliveries } from '../../queries/live-deliveries.js';
import { takeNewest } from '../../queries/live-log.js';
import { RecentDeliveryTable, type DeliveryColumn } from '../live/RecentDeliveryTable.js';

const SHOWN = 20;
const INTEGRATION: readonly DeliveryColumn[] = [{ header: 'Integration', cell: (delivery) => delivery.integrationId ?? '—' }];
const VERIFICATION: readonly DeliveryColumn[] = [
  {
    header: 'Verification',
    cell: (delivery) =>
      `${delivery.secretId ? `verified with secret ${delivery.secretId}` : (delivery.reason ?? '')}${delivery.diagnosis ? ` (${delivery.diagnosis.replaceAll('_', ' ')})` : ''}`,
  },
];

/** What the local receiver verified, as it arrives. */
export function LocalLiveList() {
  const live = useLiveDeliveries();
  const received = useMemo(() => takeNewest(live, SHOWN, (delivery) => delivery.fleetId === LOCAL_FLEET_ID), [live]);

  return (
    <section className="card" aria-labelledby="local-live-title">
      <h2 id="local-live-title">Received here, live</h2>
      {received.length === 0 ? (
        <p className="muted">Nothing yet: send a test delivery, or point a sender at the URL above.</p>
      ) : (
        <RecentDeliveryTable label="Local deliveries" rows={received} before={INTEGRATION} after={VERIFICATION} />
      )}
    </section>
  );
}
