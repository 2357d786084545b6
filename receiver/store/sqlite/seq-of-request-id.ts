import type Database from 'better-sqlite3';

/** The partial index over the rows logged before the log lost its index on request ids (migration 6 in schema.ts). */
export const IDS_BEFORE_INDEX = 'deliveries_request_id_before';

const UUID_V7 = /^([0-9a-f]{8})-([0-9a-f]{4})-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** The millisecond a UUIDv7 carries, which for this node's ids is floor(received_at) (request-id.ts); null for other ids. */
export function idMillisecond(requestId: string): number | null {
  const match = UUID_V7.exec(requestId);
  return match ? parseInt(`${match[1]}${match[2]}`, 16) : null;
}

/** Named parameters of SEQ_OF_REQUEST_ID. */
export interface RequestIdParams {
  readonly requestId: string;
  readonly ms: number | null;
}

export function requestIdParams(requestId: string): RequestIdParams {
  return { requestId, ms: idMillisecond(requestId) };
}

/**
 * A scalar subquery for the seq of the row with @requestId (bind requestIdParams): first the
 * millisecond the id carries, through the time index; then the rows logged before the migration
 * (UUIDv4 ids of old versions, v7 ids whose millisecond was bumped), through their own index. A miss
 * costs two index probes, never a scan. The partial index is usable only by a query that names its
 * bound literally, so the bound is read from the index's definition.
 */
export function seqOfRequestId(db: Database.Database): string {
  const definition = db.prepare('SELECT sql FROM sqlite_schema WHERE type = ? AND name = ?').pluck().get('index', IDS_BEFORE_INDEX) as string;
  const bound = /WHERE seq <= (-?\d+)$/.exec(definition)?.[1];
  if (bound === undefined) throw new Error(`unexpected definition of ${IDS_BEFORE_INDEX}`);
  return `SELECT seq FROM (
      SELECT seq FROM deliveries INDEXED BY deliveries_by_time WHERE received_at >= @ms AND received_at < @ms + 1 AND request_id = @requestId
      UNION ALL SELECT seq FROM deliveries INDEXED BY ${IDS_BEFORE_INDEX} WHERE request_id = @requestId AND seq <= ${bound})
    LIMIT 1`;
}
