import { describe, expect, it } from 'vitest';
import { captureMeta } from '../../../../receiver/store/capture-codec.js';
import { decodeReplayKeys } from '../../../../receiver/store/dedupe/local-replay-cache.js';
import { replayDigest } from '../../../../receiver/store/dedupe/replay-digest.js';
import type { DeliveryRecord, DeliveryWrite } from '../../../../receiver/store/delivery-record.js';
import { batchSize, packBatch, unpackDelivery } from '../../../../receiver/store/sqlite/packed-batch.js';

const NOW = 1_700_000_000_000;
const record = (requestId: string, overrides: Partial<DeliveryRecord> = {}): DeliveryRecord => ({
  requestId, integrationId: 'pay', receivedAt: NOW, sourceIp: '10.0.0.1', method: 'POST', path: '/hooks/pay', headers: { 'webhook-id': 'msg_1' },
  bodySize: 5, bodySha256: 'ab', status: 202, outcome: 'accepted', reason: null, detail: null, diagnosis: null, secretId: 's1',
  deliveryId: 'msg_1', skewMs: 12, latencyUs: 300, ...overrides,
});

describe('a packed batch', () => {
  it('carries each delivery\'s columns in insert order, its capture and its replay keys, through a structured clone', () => {
    const keys = [
      { kind: 'id', digest: replayDigest('pay', 'id', 'msg_1'), expiresAt: NOW + 5_000 },
      { kind: 'sig', digest: replayDigest('pay', 'sig', 'c2ln'), expiresAt: NOW + 9_000 },
    ] as const;
    const capture = { query: '?a=1', headers: { 'webhook-signature': 'v1,c2ln' }, body: Buffer.from('hello'), expiresAt: NOW + 60_000 };
    const writes: DeliveryWrite[] = [
      { record: record('r1'), capture, outbox: 'held', replayKeys: keys },
      { record: record('r2', { integrationId: null, status: 404, outcome: 'rejected', reason: 'not_found', bodySha256: null, secretId: null, deliveryId: null, skewMs: null }) },
      { record: record('r3', { status: 401, outcome: 'rejected', reason: 'signature_invalid', detail: 'no match' }), capture: { ...capture, body: Buffer.from('he'), truncatedFrom: 5 } },
    ];
    const packed = structuredClone(packBatch(writes));
    expect(batchSize(packed)).toBe(3);

    const first = unpackDelivery(packed, 0);
    expect(first.columns).toEqual(['r1', 'pay', NOW, '10.0.0.1', 'POST', '/hooks/pay', '{"webhook-id":"msg_1"}', 5, 'ab', 202, 'accepted', null, null, null, 's1', 'msg_1', 12, 300, 2, NOW + 60_000]);
    expect(first.integrationId).toBe('pay');
    expect(first.capture?.meta).toBe(captureMeta(capture));
    expect(first.capture?.body.toString()).toBe('hello');
    expect(first.replay?.until).toBe(NOW + 9_000);
    expect(decodeReplayKeys(first.replay?.keys ?? Buffer.alloc(0)).map((key) => [key.digest.toString('hex'), key.expiresAt])).toEqual(keys.map((key) => [key.digest.toString('hex'), key.expiresAt]));

    const second = unpackDelivery(packed, 1);
    expect(second.columns).toEqual(['r2', null, NOW, '10.0.0.1', 'POST', '/hooks/pay', '{"webhook-id":"msg_1"}', 5, null, 404, 'rejected', 'not_found', null, null, null, null, null, 300, null, null]);
    expect(second.capture).toBeNull();
    expect(second.replay).toBeNull();

    const third = unpackDelivery(packed, 2);
    expect(third.columns.slice(9, 13)).toEqual([401, 'rejected', 'signature_invalid', 'no match']);
    expect(third.capture?.meta).toBe(captureMeta({ ...capture, truncatedFrom: 5 }));
    expect(third.capture?.body.toString()).toBe('he');
    expect(third.replay).toBeNull();
  });

  it('stores the headers\' JSON the ingress already made, for the log row and the capture', () => {
    const capture = { query: '', headers: { a: 'b' }, headersJson: '{"a":"b"}', body: Buffer.from('x'), expiresAt: NOW };
    const packed = packBatch([{ record: record('r1'), headersJson: '{"given":"log"}', capture }]);
    const delivery = unpackDelivery(packed, 0);
    expect(delivery.columns[6]).toBe('{"given":"log"}');
    expect(delivery.capture?.meta).toBe('{"query":"","headers":{"a":"b"}}');
  });
});
