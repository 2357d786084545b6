import type Database from 'better-sqlite3';
import type {
  DeliveryDetail,
  DeliveryPage,
  DeliveryQuery,
  DeliverySummary,
  RawDelivery,
  StatsQuery,
  StatsView,
} from '../../../shared/contract/admin-api.js';
import type { Diagnosis, Outcome, Reason } from '../../../shared/model/outcomes.js';
import type { LoggedDelivery } from '../delivery-record.js';
import type { CapturedRequest } from '../capture-codec.js';
import { verificationTrace } from '../delivery-trace.js';
import { requestIdParams, seqOfRequestId, type RequestIdParams } from './seq-of-request-id.js';
import { addSkew, mergeSkewHistogram, type SkewCell, type SkewHistogram } from './minute-stats.js';

interface DeliveryRow {
  seq: number;
  request_id: string;
  integration_id: string | null;
  received_at: number;
  source_ip: string;
  method: string;
  path: string;
  headers: string;
  body_size: number;
  body_sha256: string | null;
  status: number;
  outcome: string;
  reason: string | null;
  detail: string | null;
  diagnosis: string | null;
  secret_id: string | null;
  delivery_id: string | null;
  skew_ms: number | null;
  latency_us: number;
}

interface PageParams {
  integration: string | null;
  before: number;
  since: number;
  until: number;
  outcomes: string | null;
  reasons: string | null;
  limit: number;
}

interface StatsWindow {
  sinceMinute: number;
  stepMinutes: number;
}

/** The window's minutes before its first whole hour, then whole hours (see PERIODS in minute-stats.ts). */
interface PeriodWindow {
  sinceMinute: number;
  firstHour: number;
}

interface CaptureRow {
  integration_id: string;
  capture: Buffer;
  method: string;
  path: string;
}

/** The body's sha256 as hex: stored as 32 bytes (log-writer.ts), or as hex text by earlier versions. */
const COLUMNS = `seq, request_id, integration_id, received_at, source_ip, method, path, headers, body_size,
  iif(typeof(body_sha256) = 'blob', lower(hex(body_sha256)), body_sha256) AS body_sha256,
  status, outcome, reason, detail, diagnosis, secret_id, delivery_id, skew_ms, latency_us`;

/**
 * Filters shared by both page statements. Lists travel as JSON arrays so that one prepared
 * statement serves every filter combination; `+received_at` keeps the planner walking the log by
 * seq (newest first, stop at the limit) instead of sorting a time-range scan.
 */
const PAGE_FILTERS = `seq < @before AND +received_at >= @since AND +received_at < @until
  AND (@outcomes IS NULL OR outcome IN (SELECT value FROM json_each(@outcomes)))
  AND (@reasons IS NULL OR reason IN (SELECT value FROM json_each(@reasons)))`;

const DEFAULT_STATS_WINDOW_MS = 3_600_000;
/** Rows a delivery-id or source-address search walks back from its cursor at most. */
const SEARCH_SCAN_ROWS = 100_000;
/** A time range holding fewer rows than this is read through the time index and sorted, not reached by a walk of the log. */
const NARROW_RANGE_ROWS = 2_000;

interface SearchParams {
  deliveryId: string | null;
  sourceIp: string | null;
}
const TOP_SOURCES = 10;

const iso = (ms: number): string => new Date(ms).toISOString();

/** What a summary shows of a log record: all but its headers, detail and body digest. */
type SummaryFields = Omit<LoggedDelivery, 'headers' | 'detail' | 'bodySha256'>;

/** The log record as the admin API and the live stream show it. */
export function toDeliverySummary(record: SummaryFields, nodeId: string): DeliverySummary {
  return {
    seq: record.seq,
    requestId: record.requestId,
    nodeId,
    integrationId: record.integrationId,
    receivedAt: iso(record.receivedAt),
    sourceIp: record.sourceIp,
    method: record.method,
    path: record.path,
    status: record.status,
    outcome: record.outcome,
    reason: record.reason,
    diagnosis: record.diagnosis,
    secretId: record.secretId,
    deliveryId: record.deliveryId,
    bodySize: record.bodySize,
    skewMs: record.skewMs,
    latencyUs: record.latencyUs,
  };
}

/** A page's rows leave their headers unparsed: a summary does not show them. */
function toSummaryFields(row: DeliveryRow): SummaryFields {
  return {
    seq: row.seq,
    requestId: row.request_id,
    integrationId: row.integration_id,
    receivedAt: row.received_at,
    sourceIp: row.source_ip,
    method: row.method,
    path: row.path,
    bodySize: row.body_size,
    status: row.status,
    outcome: row.outcome as Outcome,
    reason: row.reason as Reason | null,
    diagnosis: row.diagnosis as Diagnosis | null,
    secretId: row.secret_id,
    deliveryId: row.delivery_id,
    skewMs: row.skew_ms,
    latencyUs: row.latency_us,
  };
}

function toRecord(row: DeliveryRow): LoggedDelivery {
  return { ...toSummaryFields(row), headers: JSON.parse(row.headers) as Record<string, string>, bodySha256: row.body_sha256, detail: row.detail };
}

/**
 * Nearest-rank percentile from the skew histogram (buckets in ascending order). Exact when the bucket
 * it falls in holds one value; otherwise interpolated between the bucket's own extremes, so off by
 * less than the bucket's width (≈ 9 % of the value).
 */
function percentile(buckets: readonly SkewCell[], total: number, p: number): number | null {
  let rank = Math.max(1, Math.ceil((p / 100) * total));
  for (const bucket of buckets) {
    if (rank <= bucket.count) {
      if (bucket.count === 1 || bucket.min === bucket.max) return bucket.min;
      return Math.round(bucket.min + ((bucket.max - bucket.min) * (rank - 1)) / (bucket.count - 1));
    }
    rank -= bucket.count;
  }
  return null;
}

/** The SQLite side of the admin API's read queries: the delivery log, captures and statistics. */
export class SqliteDeliveryQueries {
  private readonly pageAll: Database.Statement<[PageParams], DeliveryRow>;
  private readonly pageOfIntegration: Database.Statement<[PageParams], DeliveryRow>;
  private readonly byRequestId: Database.Statement<[RequestIdParams], DeliveryRow>;
  private readonly hasCapture: Database.Statement<[number], number>;
  private readonly searches: Database.Statement<[PageParams & SearchParams], DeliveryRow>;
  private readonly rowsInRange: Database.Statement<[Pick<PageParams, 'before' | 'since' | 'until'>], number>;
  private readonly pageInRange: Database.Statement<[PageParams], DeliveryRow>;
  private readonly capture: Database.Statement<[RequestIdParams], CaptureRow>;
  private readonly after: Database.Statement<[number, number], DeliveryRow>;
  private readonly buckets: Database.Statement<[StatsWindow], { start: number; integration_id: string; outcome: string; reason: string; count: number }>;
  private readonly secretBuckets: Database.Statement<[StatsWindow], { start: number; integration_id: string; secret_id: string; count: number }>;
  private readonly diagnoses: Database.Statement<[number], { integration_id: string; diagnosis: string; count: number }>;
  private readonly skews: Database.Statement<[PeriodWindow], Buffer>;
  private readonly duplicates: Database.Statement<[number], number>;
  private readonly rejectedSources: Database.Statement<[PeriodWindow], string>;
  private readonly tailSkews: Database.Statement<[number], number>;
  private readonly tailSources: Database.Statement<[number], { sourceIp: string; count: number }>;
  readonly stats: (query: StatsQuery) => StatsView;

  constructor(
    db: Database.Database,
    private readonly nodeId: string,
    private readonly options: {
      readonly now: () => number;
      /** Opens a stored capture (sealed with the master key). */
      readonly openCapture: (integrationId: string, stored: Buffer) => CapturedRequest;
      /** Replay keys the node holds now, for the statistics. */
      readonly replayCacheSize: () => number;
    },
  ) {
    this.pageAll = db.prepare(`SELECT ${COLUMNS} FROM deliveries WHERE ${PAGE_FILTERS} ORDER BY seq DESC LIMIT @limit`);
    this.pageOfIntegration = db.prepare(
      `SELECT ${COLUMNS} FROM deliveries WHERE integration_id = @integration AND ${PAGE_FILTERS} ORDER BY seq DESC LIMIT @limit`,
    );
    // The probe counts index entries only, and at most NARROW_RANGE_ROWS of them.
    this.rowsInRange = db.prepare(`SELECT count(*) FROM (SELECT 1 FROM deliveries WHERE received_at >= @since AND received_at < @until AND seq < @before
      LIMIT ${NARROW_RANGE_ROWS})`).pluck() as Database.Statement<[Pick<PageParams, 'before' | 'since' | 'until'>], number>;
    this.pageInRange = db.prepare(`SELECT ${COLUMNS} FROM deliveries INDEXED BY deliveries_by_time
      WHERE received_at >= @since AND received_at < @until AND ${PAGE_FILTERS} AND (@integration IS NULL OR integration_id = @integration)
      ORDER BY seq DESC LIMIT @limit`);
    const seqOf = seqOfRequestId(db);
    this.byRequestId = db.prepare(`SELECT ${COLUMNS} FROM deliveries WHERE seq = (${seqOf})`);
    this.hasCapture = db.prepare('SELECT count(*) FROM deliveries WHERE seq = ? AND capture IS NOT NULL').pluck() as Database.Statement<[number], number>;
    // Captures exist only for POSTs to an integration's path.
    this.capture = db.prepare(`SELECT integration_id, capture, method, path FROM deliveries WHERE seq = (${seqOf}) AND capture IS NOT NULL`);
    // The search filters: the request id by the millisecond it carries (seq-of-request-id.ts); delivery id and source address by a walk back from the cursor (or the
    // newest row), which stops at the page's end or after SEARCH_SCAN_ROWS seqs, so a search never costs more than a bounded
    // walk of the log. Seqs are contiguous (rows leave only from the oldest end), so that is the newest SEARCH_SCAN_ROWS rows;
    // as a seq range the walk reads only the columns it returns (never the captures) and needs no sort.
    const from = 'min(@before, (SELECT coalesce(max(seq), 0) + 1 FROM deliveries))';
    this.searches = db.prepare(`SELECT ${COLUMNS} FROM deliveries WHERE seq < ${from} AND seq >= ${from} - ${SEARCH_SCAN_ROWS}
      AND (@integration IS NULL OR +integration_id = @integration) AND +received_at >= @since AND +received_at < @until
      AND (@outcomes IS NULL OR outcome IN (SELECT value FROM json_each(@outcomes)))
      AND (@reasons IS NULL OR reason IN (SELECT value FROM json_each(@reasons)))
      AND (@deliveryId IS NULL OR delivery_id = @deliveryId) AND (@sourceIp IS NULL OR source_ip = @sourceIp)
      ORDER BY seq DESC LIMIT @limit`);
    this.after = db.prepare(`SELECT ${COLUMNS} FROM deliveries WHERE seq > ? ORDER BY seq LIMIT ?`);
    // JS numbers bind as REAL: the casts keep the bucket arithmetic integral.
    this.buckets = db.prepare(`SELECT (minute / CAST(@stepMinutes AS INTEGER)) * CAST(@stepMinutes AS INTEGER) AS start,
      integration_id, outcome, reason, sum(count) AS count
      FROM stats_minute_live WHERE minute >= CAST(@sinceMinute AS INTEGER)
      GROUP BY start, integration_id, outcome, reason ORDER BY start, integration_id, outcome, reason`);
    this.secretBuckets = db.prepare(`SELECT (minute / CAST(@stepMinutes AS INTEGER)) * CAST(@stepMinutes AS INTEGER) AS start,
      integration_id, secret_id, sum(count) AS count
      FROM stats_secret_minute_live WHERE minute >= CAST(@sinceMinute AS INTEGER)
      GROUP BY start, integration_id, secret_id ORDER BY start, integration_id, secret_id`);
    // Every statistic reads the per-minute aggregates (minute-stats.ts) and the log's tail they do not count yet, never
    // the whole log: 24 h is at most 1,440 minutes of a few rows each, whatever the traffic, and a tail of at most ~1,300 rows.
    this.diagnoses = db.prepare(`SELECT integration_id, diagnosis, sum(count) AS count FROM stats_diagnosis_minute_live WHERE minute >= ?
      GROUP BY integration_id, diagnosis ORDER BY integration_id, diagnosis`);
    const byPeriod = (column: string): string =>
      `SELECT ${column} FROM stats_sketch_minute WHERE minute >= @sinceMinute AND minute < @firstHour AND ${column} IS NOT NULL
      UNION ALL SELECT ${column} FROM stats_sketch_hour WHERE minute >= @firstHour AND ${column} IS NOT NULL`;
    this.skews = db.prepare(byPeriod('skew')).pluck() as Database.Statement<[PeriodWindow], Buffer>;
    this.duplicates = db.prepare("SELECT coalesce(sum(count), 0) FROM stats_minute_live WHERE minute >= ? AND outcome = 'duplicate'").pluck() as Database.Statement<
      [number],
      number
    >;
    this.rejectedSources = db.prepare(byPeriod('sources')).pluck() as Database.Statement<[PeriodWindow], string>;
    this.tailSkews = db.prepare('SELECT skew_ms FROM stats_tail WHERE minute >= ? AND skew_ms IS NOT NULL').pluck() as Database.Statement<[number], number>;
    this.tailSources = db.prepare(`SELECT source_ip AS sourceIp, count(*) AS count FROM stats_tail WHERE minute >= ? AND outcome = 'rejected'
      GROUP BY source_ip`) as Database.Statement<[number], { sourceIp: string; count: number }>;
    // The aggregates and the tail after their watermark, read in one snapshot: a flush in between would count rows twice.
    this.stats = db.transaction((query: StatsQuery) => this.statsNow(query));
  }

  /** Newest first. The cursor is the seq of the page's last entry; the next page is everything older. */
  deliveries(query: DeliveryQuery): DeliveryPage {
    const params: PageParams = {
      integration: query.integration ?? null,
      before: query.cursor === undefined ? Number.MAX_SAFE_INTEGER : Number(query.cursor),
      since: query.since === undefined ? 0 : Date.parse(query.since),
      until: query.until === undefined ? Number.MAX_SAFE_INTEGER : Date.parse(query.until),
      outcomes: query.outcome && query.outcome.length > 0 ? JSON.stringify(query.outcome) : null,
      reasons: query.reason && query.reason.length > 0 ? JSON.stringify(query.reason) : null,
      // One more than asked tells whether another page exists, so the last page has no cursor.
      limit: query.limit + 1,
    };
    const rows =
      query.requestId !== undefined
        ? this.byRequestIdPage(query.requestId, params)
        : query.deliveryId !== undefined || query.sourceIp !== undefined
          ? this.searches.all({ ...params, deliveryId: query.deliveryId ?? null, sourceIp: query.sourceIp ?? null })
          : (this.narrowTimeRange(params) ?? (params.integration === null ? this.pageAll : this.pageOfIntegration).all(params));
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      deliveries: page.map((row) => toDeliverySummary(toSummaryFields(row), this.nodeId)),
      nextCursor: rows.length > query.limit && last ? String(last.seq) : null,
    };
  }

  /**
   * A page of a time range of few rows, read through the time index: walking the log back by seq to
   * an hour of last week would read every row since. Undefined when the range is open or holds many rows.
   */
  private narrowTimeRange(params: PageParams): DeliveryRow[] | undefined {
    if (params.since === 0 && params.until === Number.MAX_SAFE_INTEGER) return undefined;
    const rows = this.rowsInRange.get({ before: params.before, since: params.since, until: params.until }) ?? NARROW_RANGE_ROWS;
    return rows < NARROW_RANGE_ROWS ? this.pageInRange.all(params) : undefined;
  }

  /** The one row of a request id, if it passes the other filters. */
  private byRequestIdPage(requestId: string, params: PageParams): DeliveryRow[] {
    const row = this.byRequestId.get(requestIdParams(requestId));
    if (!row || row.seq >= params.before || row.received_at < params.since || row.received_at >= params.until) return [];
    if (params.integration !== null && row.integration_id !== params.integration) return [];
    if (params.outcomes !== null && !(JSON.parse(params.outcomes) as string[]).includes(row.outcome)) return [];
    if (params.reasons !== null && !(JSON.parse(params.reasons) as string[]).includes(row.reason ?? '')) return [];
    return [row];
  }

  delivery(requestId: string): DeliveryDetail | undefined {
    const row = this.byRequestId.get(requestIdParams(requestId));
    if (!row) return undefined;
    const record = toRecord(row);
    return {
      ...toDeliverySummary(record, this.nodeId),
      // Redacted when the record was written: signatures and credentials never reach the log.
      headers: { ...record.headers },
      bodySha256: record.bodySha256,
      detail: record.detail,
      captured: (this.hasCapture.get(row.seq) ?? 0) > 0,
      trace: verificationTrace(record),
    };
  }

  raw(requestId: string): RawDelivery | undefined {
    const row = this.capture.get(requestIdParams(requestId));
    if (!row) return undefined;
    const capture = this.options.openCapture(row.integration_id, row.capture);
    return {
      requestId,
      integrationId: row.integration_id,
      method: row.method,
      path: row.path,
      query: capture.query,
      headers: capture.headers,
      bodyBase64: capture.body.toString('base64'),
    };
  }

  /** Ascending from `seq` (exclusive): the stream's replay after a reconnect. */
  deliveriesAfter(seq: number, limit: number): DeliverySummary[] {
    return this.after.all(seq, limit).map((row) => toDeliverySummary(toSummaryFields(row), this.nodeId));
  }

  private statsNow(query: StatsQuery): StatsView {
    const now = this.options.now();
    const since = query.since === undefined ? now - DEFAULT_STATS_WINDOW_MS : Date.parse(query.since);
    // Buckets are aligned to multiples of `step` since the epoch; the first one may start before `since`. Every
    // figure is per minute: the window starts at the beginning of the minute `since` falls in.
    const window: StatsWindow = { sinceMinute: Math.floor(since / 60_000), stepMinutes: query.step / 60 };
    const periods: PeriodWindow = { sinceMinute: window.sinceMinute, firstHour: Math.ceil(window.sinceMinute / 60) * 60 };
    return {
      nodeId: this.nodeId,
      since: iso(since),
      step: query.step,
      // Requests that matched no integration are counted under integrationId "".
      buckets: this.buckets.all(window).map((row) => ({
        start: iso(row.start * 60_000),
        integrationId: row.integration_id,
        outcome: row.outcome as Outcome,
        reason: row.reason === '' ? null : (row.reason as Reason),
        count: row.count,
      })),
      bySecret: this.secretBuckets.all(window).map((row) => ({
        start: iso(row.start * 60_000),
        integrationId: row.integration_id,
        secretId: row.secret_id,
        count: row.count,
      })),
      diagnoses: this.diagnoses.all(window.sinceMinute).map((row) => ({ integrationId: row.integration_id, diagnosis: row.diagnosis as Diagnosis, count: row.count })),
      clockSkewMs: this.skewPercentiles(periods),
      replayCache: { hits: this.duplicates.get(window.sinceMinute) ?? 0, size: this.options.replayCacheSize() },
      topRejectedSources: this.topRejectedSources(periods),
    };
  }

  /**
   * Signed skew (receiver clock minus the signed timestamp): positive is a sender behind, or a slow
   * path; negative a sender ahead. Count and max are exact; the percentiles come from the histogram.
   */
  private skewPercentiles(periods: PeriodWindow): StatsView['clockSkewMs'] {
    const histogram: SkewHistogram = new Map();
    for (const stored of this.skews.iterate(periods)) mergeSkewHistogram(histogram, stored);
    for (const skewMs of this.tailSkews.iterate(periods.sinceMinute)) addSkew(histogram, skewMs);
    const buckets = [...histogram].sort((a, b) => a[0] - b[0]).map(([, cell]) => cell);
    const count = buckets.reduce((sum, bucket) => sum + bucket.count, 0);
    return {
      count,
      p50: percentile(buckets, count, 50),
      p95: percentile(buckets, count, 95),
      p99: percentile(buckets, count, 99),
      max: buckets.at(-1)?.max ?? null,
    };
  }

  /** Most rejected first (equal counts by address), summed over the window's per-minute summaries. */
  private topRejectedSources(periods: PeriodWindow): StatsView['topRejectedSources'] {
    const counts = new Map<string, number>();
    for (const stored of this.rejectedSources.iterate(periods)) {
      for (const [sourceIp, count] of Object.entries(JSON.parse(stored) as Record<string, number>)) counts.set(sourceIp, (counts.get(sourceIp) ?? 0) + count);
    }
    for (const { sourceIp, count } of this.tailSources.iterate(periods.sinceMinute)) counts.set(sourceIp, (counts.get(sourceIp) ?? 0) + count);
    return [...counts]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, TOP_SOURCES)
      .map(([sourceIp, count]) => ({ sourceIp, count }));
  }
}
