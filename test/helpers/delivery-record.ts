import type { DeliveryRecord } from '../../receiver/store/delivery-record.js';

/**
 * A UUIDv7 carrying floor(receivedAt) as the receiver's ids do (request-id.ts), with `index` in place of the
 * random bits so that a test can name it.
 */
export function requestIdAt(receivedAt: number, index: number): string {
  const time = Math.floor(receivedAt).toString(16).padStart(12, '0');
  return `${time.slice(0, 8)}-${time.slice(8)}-7000-8000-${index.toString(16).padStart(12, '0')}`;
}

/** A log record of an accepted delivery at 2025-03-01T10:00:00Z + `index` ms: `fields` says what else. */
export function deliveryRecord(index: number, fields: Partial<DeliveryRecord> = {}): DeliveryRecord {
  const receivedAt = fields.receivedAt ?? Date.parse('2025-03-01T10:00:00Z') + index;
  return {
    requestId: requestIdAt(receivedAt, index),
    integrationId: 'pay',
    receivedAt,
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
