import { captureMeta } from '../capture-codec.js';
import { STORED_KEY_BYTES } from '../dedupe/dedupe-index.js';
import { writeReplayKeys } from '../dedupe/local-replay-cache.js';
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
export const ROW_COLUMNS = ROW.length;
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
  let size = 0;
  for (const write of writes) size += (write.capture?.body.length ?? 0) + (write.replayKeys?.length ?? 0) * STORED_KEY_BYTES;
  // Its own ArrayBuffer (never the shared pool's), so it can be transferred rather than copied.
  const bytes = Buffer.from(new ArrayBuffer(size));
  // Filled by push, in order: a packed array is cloned to the thread element by element, where a holey
  // one (`new Array(n)`) went through V8's sparse, property-by-property path, about twice the cost.
  const values: Value[] = [];
  let offset = 0;
  for (const write of writes) {
    const { record, capture, replayKeys } = write;
    const integrationId = record.integrationId;
    const stored = capture && integrationId !== null ? capture : undefined;
    // In ROW's order, then the capture and replay parts of the stride.
    values.push(
      record.requestId, integrationId, record.receivedAt, record.sourceIp, record.method, record.path, write.headersJson ?? JSON.stringify(record.headers),
      record.bodySize, record.bodySha256, record.status, record.outcome, record.reason, record.detail, record.diagnosis, record.secretId,
      record.deliveryId, record.skewMs, record.latencyUs,
      write.outbox && integrationId !== null ? OUTBOX_STATE[write.outbox] : null,
      stored ? stored.expiresAt : null,
      stored ? captureMeta(stored, stored.headersJson) : null,
    );
    const bodyStart = offset;
    if (stored) offset += stored.body.copy(bytes, offset);
    const keysStart = offset;
    let until: number | null = null;
    if (replayKeys && replayKeys.length > 0) {
      offset += writeReplayKeys(replayKeys, bytes, offset);
      for (const key of replayKeys) until = Math.max(until ?? -Infinity, key.expiresAt);
    }
    values.push(bodyStart, keysStart - bodyStart, keysStart, offset - keysStart, until);
  }
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
