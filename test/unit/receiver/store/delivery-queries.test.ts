import { commitWrites } from '../../../helpers/commit-writes.js';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deliveryQuery, type DeliveryQuery } from '../../../../shared/contract/admin-api.js';
import type { Outcome, Reason } from '../../../../shared/model/outcomes.js';
import type { DeliveryRecord, DeliveryWrite } from '../../../../receiver/store/delivery-record.js';
import { deliveryRecord } from '../../../helpers/delivery-record.js';
import { SqliteDeliveryQueries } from '../../../../receiver/store/sqlite/delivery-queries.js';
import { openCapture } from '../../../../receiver/store/capture-codec.js';
import { LogWriter } from '../../../../receiver/store/sqlite/log-writer.js';
import { migrate } from '../../../../receiver/store/sqlite/schema.js';

const T0 = Date.parse('2025-03-01T10:00:00Z');
const MASTER_KEY = Buffer.alloc(32, 7);

function record(index: number, overrides: Partial<DeliveryRecord> = {}): DeliveryRecord {
  return deliveryRecord(index, {
    integrationId: index % 3 === 0 ? 'gh' : 'pay',
    receivedAt: T0 + index * 10_000,
    sourceIp: `10.0.0.${index % 4}`,
    path: index % 3 === 0 ? '/hooks/gh' : '/hooks/pay',
    headers: { 'content-type': 'application/json', 'stripe-signature': '[redacted]' },
    bodySha256: 'a'.repeat(64),
    skewMs: index * 100,
    ...overrides,
  });
}

/** The request id of record(index). */
const id = (index: number): string => record(index).requestId;

const rejected = (reason: Reason, status = 401): Partial<DeliveryRecord> => ({ outcome: 'rejected', reason, status, secretId: null });

describe('delivery queries', () => {
  let db: Database.Database;
  let writer: LogWriter;
  let queries: SqliteDeliveryQueries;
  let now = T0 + 3_600_000;
  beforeEach(() => {
    db = new Database(':memory:');
    migrate(db);
    writer = new LogWriter(db, { masterKey: MASTER_KEY, redact: {} });
    now = T0 + 3_600_000;
    queries = new SqliteDeliveryQueries(db, 'node-a', {
      now: () => now,
      openCapture: (integrationId, stored) => openCapture(MASTER_KEY, integrationId, stored),
      replayCacheSize: () => 1,
    });
  });
  afterEach(() => db.close());

  function store(...writes: DeliveryWrite[]): Promise<number[]> {
    return Promise.resolve(commitWrites(writer, writes));
  }

  /** 60 deliveries: every 5th a signature failure, every 7th a duplicate. */
  async function storeMixed(): Promise<void> {
    await store(
      ...Array.from({ length: 60 }, (_, index) => {
        if (index % 5 === 0) return { record: record(index, rejected(index % 10 === 0 ? 'signature_invalid' : 'signature_missing')) };
        if (index % 7 === 0) return { record: record(index, { outcome: 'duplicate' as Outcome, reason: 'duplicate_id' as Reason, status: 200 }) };
        return { record: record(index) };
      }),
    );
  }

  const query = (input: Record<string, string | number>): DeliveryQuery => deliveryQuery.parse(Object.fromEntries(Object.entries(input).map(([key, value]) => [key, String(value)])));

  function pageThrough(input: Record<string, string | number>): { seqs: number[]; pages: number } {
    const seqs: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = queries.deliveries(query({ ...input, ...(cursor === null ? {} : { cursor }) }));
      pages++;
      seqs.push(...page.deliveries.map((delivery) => delivery.seq));
      cursor = page.nextCursor;
    } while (cursor !== null && pages < 100);
    return { seqs, pages };
  }

  it('pages newest first with cursors: every delivery exactly once, no overlap, no gap', async () => {
    await storeMixed();
    const { seqs, pages } = pageThrough({ limit: 7 });
    expect(pages).toBe(9);
    expect(seqs).toEqual(Array.from({ length: 60 }, (_, index) => 60 - index));
  });

  it('ends on a full last page without an empty extra page', async () => {
    await storeMixed();
    const { seqs, pages } = pageThrough({ limit: 20 });
    expect(pages).toBe(3);
    expect(new Set(seqs).size).toBe(60);
  });

  it('does not shift pages when new deliveries arrive while paging', async () => {
    await storeMixed();
    const first = queries.deliveries(query({ limit: 10 }));
    await store({ record: record(100) }, { record: record(101) });
    const second = queries.deliveries(query({ limit: 10, cursor: first.nextCursor ?? '' }));
    expect(first.deliveries.at(-1)?.seq).toBe(51);
    expect(second.deliveries.map((delivery) => delivery.seq)).toEqual([50, 49, 48, 47, 46, 45, 44, 43, 42, 41]);
  });

  it('filters by integration, outcome list, reason list and time range, also across pages', async () => {
    await storeMixed();
    const all = db.prepare('SELECT seq, integration_id, outcome, reason, received_at FROM deliveries ORDER BY seq DESC').all() as {
      seq: number;
      integration_id: string;
      outcome: string;
      reason: string | null;
      received_at: number;
    }[];
    const expectSeqs = (input: Record<string, string | number>, keep: (row: (typeof all)[number]) => boolean) =>
      expect(pageThrough({ limit: 4, ...input }).seqs).toEqual(all.filter(keep).map((row) => row.seq));

    expectSeqs({ integration: 'gh' }, (row) => row.integration_id === 'gh');
    expectSeqs({ outcome: 'rejected,duplicate' }, (row) => row.outcome === 'rejected' || row.outcome === 'duplicate');
    expectSeqs({ reason: 'signature_missing' }, (row) => row.reason === 'signature_missing');
    expectSeqs({ integration: 'pay', outcome: 'rejected' }, (row) => row.integration_id === 'pay' && row.outcome === 'rejected');
    const since = new Date(T0 + 100_000).toISOString();
    const until = new Date(T0 + 200_000).toISOString();
    expectSeqs({ since, until }, (row) => row.received_at >= T0 + 100_000 && row.received_at < T0 + 200_000);
    expectSeqs(
      { since, until: new Date(T0 + 500_000).toISOString(), integration: 'pay', outcome: 'rejected,accepted' },
      (row) => row.received_at >= T0 + 100_000 && row.received_at < T0 + 500_000 && row.integration_id === 'pay' && row.outcome !== 'duplicate',
    );
    expect(pageThrough({ integration: 'nope' }).seqs).toEqual([]);
  });

  it('searches by delivery id, source address and request id, with the other filters and across pages', async () => {
    await storeMixed();
    expect(pageThrough({ deliveryId: 'evt_17' }).seqs).toEqual([18]);
    expect(pageThrough({ deliveryId: 'evt_17', integration: 'gh' }).seqs).toEqual([]);
    expect(pageThrough({ sourceIp: '10.0.0.1', limit: 4 }).seqs).toEqual(Array.from({ length: 15 }, (_, index) => 58 - index * 4));
    expect(pageThrough({ sourceIp: '10.0.0.1', outcome: 'rejected' }).seqs).toEqual([46, 26, 6]);
    expect(pageThrough({ sourceIp: '10.0.0.1', cursor: 30, limit: 3 }).seqs).toEqual([26, 22, 18, 14, 10, 6, 2]);
    expect(pageThrough({ requestId: id(9) }).seqs).toEqual([10]);
    expect(pageThrough({ sourceIp: '192.0.2.1' }).seqs).toEqual([]);
  });

  it('maps a log row to the summary of the contract', async () => {
    const [seq] = await store({ record: record(4) });
    const page = queries.deliveries(query({ limit: 1 }));
    expect(page.deliveries[0]).toEqual({
      seq,
      requestId: id(4),
      nodeId: 'node-a',
      integrationId: 'pay',
      receivedAt: new Date(T0 + 40_000).toISOString(),
      sourceIp: '10.0.0.0',
      method: 'POST',
      path: '/hooks/pay',
      status: 202,
      outcome: 'accepted',
      reason: null,
      diagnosis: null,
      secretId: 's1',
      deliveryId: 'evt_4',
      bodySize: 20,
      skewMs: 400,
      latencyUs: 900,
    });
  });

  it('details a delivery with its redacted headers, whether it was captured, and its verification trace', async () => {
    await store(
      { record: record(1), capture: { query: '?a=1', headers: { 'stripe-signature': 't=1,v1=ab' }, body: Buffer.from('{"id":1}'), expiresAt: now + 1000 } },
      { record: record(2, { ...rejected('signature_invalid'), diagnosis: 'body_trailing_newline', detail: 'a trailing newline was added to the body on the way' }) },
    );
    const accepted = queries.delivery(id(1));
    expect(accepted).toMatchObject({ captured: true, headers: { 'stripe-signature': '[redacted]' } });
    expect(accepted?.trace.map((step) => step.step)).toEqual(['route', 'kill switch', 'allowlist', 'rate limit', 'body', 'signature', 'timestamp', 'dedupe', 'schema', 'outcome']);
    expect(accepted?.trace.find((step) => step.step === 'signature')?.result).toBe('verified with secret "s1"');
    expect(accepted?.trace.at(-1)?.result).toBe('stored durably → 202 accepted');

    const failed = queries.delivery(id(2));
    expect(failed?.captured).toBe(false);
    const signature = failed?.trace.find((step) => step.step === 'signature')?.result ?? '';
    expect(signature).toContain('signature_invalid');
    expect(signature).toContain('body_trailing_newline');
    expect(failed?.trace.find((step) => step.step === 'body')?.result).toContain('20 bytes');
    expect(failed?.trace.find((step) => step.step === 'dedupe')?.result).toBe('not reached');
    expect(queries.delivery('missing')).toBeUndefined();
  });

  it('stores the body sha256 as its 32 bytes and reads it as hex, as it reads the hex text of earlier versions', async () => {
    const digest = '0123456789abcdef'.repeat(4);
    await store({ record: record(1, { bodySha256: digest }) }, { record: record(2, { bodySha256: null }) });
    expect(db.prepare('SELECT typeof(body_sha256) AS type, length(body_sha256) AS bytes FROM deliveries WHERE request_id = ?').get(id(1))).toEqual({ type: 'blob', bytes: 32 });
    expect(queries.delivery(id(1))?.bodySha256).toBe(digest);
    expect(queries.delivery(id(2))?.bodySha256).toBeNull();
    db.prepare('UPDATE deliveries SET body_sha256 = ? WHERE request_id = ?').run('f'.repeat(64), id(1));
    expect(queries.delivery(id(1))?.bodySha256).toBe('f'.repeat(64));
  });

  it('gives the captured raw request with its body as base64', async () => {
    const body = Buffer.from([0x7b, 0x00, 0xff, 0x7d]);
    await store({ record: record(1), capture: { query: '?x=1', headers: { 'stripe-signature': 't=1,v1=ab' }, body, expiresAt: now + 1000 } }, { record: record(2) });
    expect(queries.raw(id(1))).toEqual({
      requestId: id(1),
      integrationId: 'pay',
      method: 'POST',
      path: '/hooks/pay',
      query: '?x=1',
      headers: { 'stripe-signature': 't=1,v1=ab' },
      bodyBase64: body.toString('base64'),
    });
    expect(queries.raw(id(2))).toBeUndefined();
  });

  it('reads deliveries after a seq in log order', async () => {
    await storeMixed();
    expect(queries.deliveriesAfter(10, 5).map((delivery) => delivery.seq)).toEqual([11, 12, 13, 14, 15]);
    expect(queries.deliveriesAfter(58, 5).map((delivery) => delivery.seq)).toEqual([59, 60]);
    expect(queries.deliveriesAfter(60, 5)).toEqual([]);
  });

  it('aggregates statistics: buckets by step, per secret, diagnoses, skew, replay cache and rejected sources', async () => {
    await store(
      { record: record(0) },
      { record: record(1, { secretId: 's2' }) },
      { record: record(7, { receivedAt: T0 + 61_000 }) },
      { record: record(8, { ...rejected('signature_invalid'), diagnosis: 'secret_whitespace', sourceIp: '203.0.113.9' }) },
      { record: record(9, { ...rejected('signature_invalid'), integrationId: 'pay', sourceIp: '203.0.113.9' }) },
      { record: record(10, { ...rejected('ip_not_allowed', 403), sourceIp: '198.51.100.1', skewMs: null }) },
      { record: record(11, { outcome: 'duplicate', reason: 'duplicate_id', status: 200 }) },
      { record: record(12, { receivedAt: T0 - 7_200_000, skewMs: 99_999 }) },
    );
    const stats = queries.stats({ since: new Date(T0).toISOString(), step: 120 });
    expect(stats.nodeId).toBe('node-a');
    expect(stats.step).toBe(120);
    const start = new Date(T0).toISOString();
    expect(stats.buckets).toEqual([
      { start, integrationId: 'gh', outcome: 'accepted', reason: null, count: 1 },
      { start, integrationId: 'pay', outcome: 'accepted', reason: null, count: 2 },
      { start, integrationId: 'pay', outcome: 'duplicate', reason: 'duplicate_id', count: 1 },
      { start, integrationId: 'pay', outcome: 'rejected', reason: 'ip_not_allowed', count: 1 },
      { start, integrationId: 'pay', outcome: 'rejected', reason: 'signature_invalid', count: 2 },
    ]);
    expect(stats.bySecret).toEqual([
      { start, integrationId: 'gh', secretId: 's1', count: 1 },
      { start, integrationId: 'pay', secretId: 's1', count: 2 },
      { start, integrationId: 'pay', secretId: 's2', count: 1 },
    ]);
    expect(stats.diagnoses).toEqual([{ integrationId: 'pay', diagnosis: 'secret_whitespace', count: 1 }]);
    // Skews of the 7 timestamped deliveries since T0: 0, 100, 700, 800, 900, 1100 (+ the one from before `since` left out).
    expect(stats.clockSkewMs).toEqual({ count: 6, p50: 700, p95: 1100, p99: 1100, max: 1100 });
    expect(stats.replayCache).toEqual({ hits: 1, size: 1 });
    expect(stats.topRejectedSources).toEqual([
      { sourceIp: '203.0.113.9', count: 2 },
      { sourceIp: '198.51.100.1', count: 1 },
    ]);
  });

  it('defaults the statistics window to the last hour', async () => {
    await store({ record: record(1, { receivedAt: now - 30 * 60_000 }) }, { record: record(2, { receivedAt: now - 90 * 60_000 }) });
    const stats = queries.stats({ step: 60 });
    expect(stats.since).toBe(new Date(now - 3_600_000).toISOString());
    expect(stats.buckets.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(1);
    expect(stats.clockSkewMs.count).toBe(1);
  });
});
