import { captureMeta } from '../capture-codec.js';
import { encodeReplayKeys } from '../dedupe/local-replay-cache.js';
import type { DeliveryRecord, DeliveryWrite } from '../delivery-record.js';

const OUTBOX_STATE = { ready: 1, held: 2 } as const;

/** The log row's columns the event loop fills in, in the insert's order; the writer thread adds the sealed capture. */
export const ROW_COLUMNS = 20;
/** Per delivery: the row's columns, then capture meta (JSON or null), body start and length, replay keys start and length, replay until. */
const STRIDE = ROW_COLUMNS + 6;
const META = ROW_COLUMNS;
const BODY_START = META + 1;
const BODY_LENGTH = META + 2;
const KEYS_START = META + 3;
const KEYS_LENGTH = META + 4;
const UNTIL = META + 5;

type Value = string | number | null;

/**
 * A batch of deliveries as it crosses to the writer thread: one flat array of primitives and one
 * transferred byte buffer (bodies and replay keys), instead of a structured clone of an object
 * graph per delivery (records, header objects, Buffers each copying their whole backing store).
 */
export interface PackedBatch {
  readonly values: readonly Value[];
  readonly bytes: ArrayBuffer;
}

/** One delivery of a batch, as the writer thread reads it. */
export interface PackedDelivery {
  /** The first ROW_COLUMNS columns of the row, in insert order. */
  readonly columns: readonly Value[];
  readonly integrationId: string | null;
  /** What the per-minute statistics count it under. */
  readonly receivedAt: number;
  readonly status: number;
  readonly outcome: DeliveryRecord['outcome'];
  readonly reason: DeliveryRecord['reason'];
  readonly secretId: string | null;
  readonly diagnosis: DeliveryRecord['diagnosis'];
  readonly skewMs: number | null;
  readonly sourceIp: string;
  readonly capture: { readonly meta: string; readonly body: Buffer } | null;
  readonly replay: { readonly until: number; readonly keys: Buffer } | null;
}

export function packBatch(writes: readonly DeliveryWrite[]): PackedBatch {
  const keys = writes.map((write) => (write.replayKeys && write.replayKeys.length > 0 ? encodeReplayKeys(write.replayKeys) : undefined));
  let size = 0;
  writes.forEach((write, index) => (size += (write.capture?.body.length ?? 0) + (keys[index]?.length ?? 0)));
  // Its own ArrayBuffer (never the shared pool's), so it can be transferred rather than copied.
  const bytes = Buffer.from(new ArrayBuffer(size));
  const values: Value[] = new Array<Value>(writes.length * STRIDE);
  let offset = 0;
  writes.forEach((write, index) => {
    const { record, capture } = write;
    const base = index * STRIDE;
    const integrationId = record.integrationId;
    const stored = capture && integrationId !== null ? capture : undefined;
    values[base] = record.requestId;
    values[base + 1] = integrationId;
    values[base + 2] = record.receivedAt;
    values[base + 3] = record.sourceIp;
    values[base + 4] = record.method;
    values[base + 5] = record.path;
    values[base + 6] = JSON.stringify(record.headers);
    values[base + 7] = record.bodySize;
    values[base + 8] = record.bodySha256;
    values[base + 9] = record.status;
    values[base + 10] = record.outcome;
    values[base + 11] = record.reason;
    values[base + 12] = record.detail;
    values[base + 13] = record.diagnosis;
    values[base + 14] = record.secretId;
    values[base + 15] = record.deliveryId;
    values[base + 16] = record.skewMs;
    values[base + 17] = record.latencyUs;
    values[base + 18] = write.outbox && integrationId !== null ? OUTBOX_STATE[write.outbox] : null;
    values[base + 19] = stored ? stored.expiresAt : null;
    values[base + META] = stored ? captureMeta(stored) : null;
    values[base + BODY_START] = offset;
    if (stored) offset += stored.body.copy(bytes, offset);
    values[base + BODY_LENGTH] = offset - (values[base + BODY_START] as number);
    const encoded = keys[index];
    values[base + KEYS_START] = offset;
    values[base + KEYS_LENGTH] = encoded ? encoded.length : 0;
    values[base + UNTIL] = write.replayKeys && write.replayKeys.length > 0 ? Math.max(...write.replayKeys.map((key) => key.expiresAt)) : null;
    if (encoded) offset += encoded.copy(bytes, offset);
  });
  return { values, bytes: bytes.buffer };
}

export function batchSize(batch: PackedBatch): number {
  return batch.values.length / STRIDE;
}

export function unpackDelivery(batch: PackedBatch, index: number): PackedDelivery {
  const { values } = batch;
  const base = index * STRIDE;
  const meta = values[base + META] as string | null;
  const until = values[base + UNTIL] as number | null;
  const view = (start: number, length: number): Buffer => Buffer.from(batch.bytes, values[base + start] as number, values[base + length] as number);
  return {
    columns: values.slice(base, base + ROW_COLUMNS),
    integrationId: values[base + 1] as string | null,
    receivedAt: values[base + 2] as number,
    status: values[base + 9] as number,
    outcome: values[base + 10] as DeliveryRecord['outcome'],
    reason: values[base + 11] as DeliveryRecord['reason'],
    secretId: values[base + 14] as string | null,
    diagnosis: values[base + 13] as DeliveryRecord['diagnosis'],
    skewMs: values[base + 16] as number | null,
    sourceIp: values[base + 3] as string,
    capture: meta === null ? null : { meta, body: view(BODY_START, BODY_LENGTH) },
    replay: until === null ? null : { until, keys: view(KEYS_START, KEYS_LENGTH) },
  };
}
