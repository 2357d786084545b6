import type { DeliveryRecord } from '../../receiver/store/delivery-record.js';

/** A log record of an accepted delivery at 2025-03-01T10:00:00Z + `index` ms: `fields` says what else. */
export function deliveryRecord(index: number, fields: Partial<DeliveryRecord> = {}): DeliveryRecord {
  return {
    requestId: `req-${index}`,
    integrationId: 'pay',
    receivedAt: Date.parse('2025-03-01T10:00:00Z') + index,
    sourceIp: '10.0.0.1',
    method: 'POST',
    path: '/hooks/pay',
    headers: {},
    bodySize: 20,
    bodySha256: null,
    status: 202,
    outcome: 'accepted',
    reason: null,
    detail: null,
    diagnosis: null,
    secretId: 's1',
    deliveryId: `evt_${index}`,
    skewMs: 0,
    latencyUs: 900,
    ...fields,
  };
}
