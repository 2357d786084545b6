import type { DeliverySummary } from '../../shared/contract/admin-api.js';
import type { FleetDelivery } from '../../shared/contract/console.js';

/** A delivery as the admin API lists it: an accepted one unless `fields` says otherwise. */
export function deliverySummary(fields: Partial<DeliverySummary> & { seq: number }): DeliverySummary {
  return {
    requestId: `r${fields.seq}`,
    nodeId: 'n',
    integrationId: 'pay',
    receivedAt: new Date(1_700_000_000_000 + fields.seq).toISOString(),
    sourceIp: '127.0.0.1',
    method: 'POST',
    path: '/hooks/pay',
    status: 202,
    outcome: 'accepted',
    reason: null,
    diagnosis: null,
    secretId: 's1',
    deliveryId: null,
    bodySize: 1,
    skewMs: null,
    latencyUs: 1,
    ...fields,
  };
}

/** The same, as the console's live feed carries it. */
export function fleetDelivery(fields: Partial<FleetDelivery> & { seq: number }): FleetDelivery {
  return { fleetId: 'prod', nodeUrl: 'https://n1.example:9090', ...deliverySummary(fields), ...fields };
}
