import { captureMeta } from '../capture-codec.js';
import { encodeReplayKeys } from '../dedupe/local-replay-cache.js';
import type { DeliveryWrite } from '../delivery-record.js';

const OUTBOX_STATE = { ready: 1, held: 2 } as const;

/** The log row's columns the event loop fills in, in the insert's order; the writer thread adds the sealed capture. */
const ROW = [
  'requestId', 'integrationId', 'receivedAt', 'sourceIp', 'method', 'path', 'headers', 'bodySize', 'bodySha256', 'status',
  'outcome', 'reason', 'detail', 'diagnosis', 'secretId', 'deliveryId', 'skewMs', 'latencyUs', 'outbox', 'captureExpiresAt',
] as const;
type Column = (typeof ROW)[number];
/** Where each column sits within a delivery's stride: the one place packing and unpacking agree on. */
const COLUMN = Object.fromEntries(ROW.map((name, index) => [name, index])) as Record<Column, number>;
const ROW_COLUMNS = ROW.length;
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
  /** The row's columns the event loop filled in, in insert order. */
  readonly columns: readonly Value[];
  readonly integrationId: string | null;
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
    // Column by column, without an object per delivery: this runs on the event loop for every delivery.
    const set = (name: Column, value: Value): void => void (values[base + COLUMN[name]] = value);
    set('requestId', record.requestId);
    set('integrationId', integrationId);
    set('receivedAt', record.receivedAt);
    set('sourceIp', record.sourceIp);
    set('method', record.method);
    set('path', record.path);
    set('headers', JSON.stringify(record.headers));
    set('bodySize', record.bodySize);
    set('bodySha256', record.bodySha256);
    set('status', record.status);
    set('outcome', record.outcome);
    set('reason', record.reason);
    set('detail', record.detail);
    set('diagnosis', record.diagnosis);
    set('secretId', record.secretId);
    set('deliveryId', record.deliveryId);
    set('skewMs', record.skewMs);
    set('latencyUs', record.latencyUs);
    set('outbox', write.outbox && integrationId !== null ? OUTBOX_STATE[write.outbox] : null);
    set('captureExpiresAt', stored ? stored.expiresAt : null);
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
    integrationId: values[base + COLUMN.integrationId] as string | null,
    capture: meta === null ? null : { meta, body: view(BODY_START, BODY_LENGTH) },
    replay: until === null ? null : { until, keys: view(KEYS_START, KEYS_LENGTH) },
  };
}
