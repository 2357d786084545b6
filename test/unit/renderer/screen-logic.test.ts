import { describe, expect, it } from 'vitest';
import type { IntegrationEntry } from '../../../shared/contract/console.js';
import { routeFromHash } from '../../../renderer/src/app/routes.js';
import { appendLive, EMPTY_LIVE, mergeHistory, mergeNewestFirst, takeNewest, type LiveLog } from '../../../renderer/src/queries/live-log.js';
import { filterLog, viewNewestAt, viewNewestFirst, viewSize } from '../../../renderer/src/screens/live/filtered-view.js';
import { csvCell, deliveriesCsv } from '../../../renderer/src/screens/live/live-export.js';
import { bytePieces, byteSummary } from '../../../renderer/src/screens/live/raw-bytes.js';
import { curlCommand, shellBytes, signatureHeaderNames } from '../../../renderer/src/screens/live/curl-command.js';
import { editableHeaders, headerEdits } from '../../../renderer/src/screens/live/EditAndReplay.js';
import { inventoryRows, needsAttention, NO_INVENTORY_FILTER, nodeDrift, oldestSecretDays } from '../../../renderer/src/screens/inventory/inventory-rows.js';
import { filterFromQuery, liveHref, matchesLive, NO_FILTER } from '../../../renderer/src/screens/live/live-filter.js';
import { fleetDelivery } from '../../helpers/delivery-summary.js';

describe('the live log', () => {
  const seqs = (log: LiveLog) => takeNewest(log, Infinity, () => true).map((delivery) => delivery.seq);

  it('puts a batch in newest first, caps the log, and counts every delivery received', () => {
    const older = appendLive(EMPTY_LIVE, [fleetDelivery({ seq: 1 }), fleetDelivery({ seq: 2 })], 1, 3);
    const next = appendLive(older, [fleetDelivery({ seq: 3 }), fleetDelivery({ seq: 4 })], 2, 3);
    expect(seqs(next)).toEqual([4, 3, 2]);
    expect(next).toMatchObject({ dropped: 3, received: 4 });
    // The older log still reads what it held: a paused screen shows it.
    expect(seqs(older)).toEqual([2, 1]);
  });

  it('keeps only the newest of a batch larger than the cap', () => {
    const next = appendLive(EMPTY_LIVE, [1, 2, 3, 4, 5].map((seq) => fleetDelivery({ seq })), 0, 2);
    expect(seqs(next)).toEqual([5, 4]);
    expect(next.received).toBe(5);
  });

  it('holds a delivery once by node and seq, from the stream or the history, and a branch from an older log does not disturb the newer', () => {
    const live = appendLive(EMPTY_LIVE, [fleetDelivery({ seq: 7 }), fleetDelivery({ seq: 9 })], 0);
    const merged = mergeHistory(live, [fleetDelivery({ seq: 8 }), fleetDelivery({ seq: 7 }), fleetDelivery({ seq: 3 }), fleetDelivery({ seq: 3, nodeUrl: 'https://n2.example:9090' })]);
    expect(seqs(merged)).toEqual([9, 8, 7, 3, 3]);
    expect(mergeHistory(merged, [fleetDelivery({ seq: 8 })])).toBe(merged);
    // The stream brings one the history gave already (a node's stream never repeats itself).
    const after = appendLive(merged, [fleetDelivery({ seq: 8 }), fleetDelivery({ seq: 10 })], 0);
    expect(seqs(after)).toEqual([10, 9, 8, 7, 3, 3]);
    const branch = appendLive(merged, [fleetDelivery({ seq: 11 })], 0);
    expect(seqs(branch)).toEqual([11, 9, 8, 7, 3, 3]);
    expect(seqs(after)).toEqual([10, 9, 8, 7, 3, 3]);
  });

  it('filters incrementally: a batch is tested alone, rows the cap pushed out leave the view, a new filter starts afresh', () => {
    const rejected = { ...NO_FILTER, outcome: 'rejected' as const };
    const rows = (seqList: number[]) => seqList.map((seq) => fleetDelivery({ seq, outcome: seq % 2 === 0 ? 'rejected' : 'accepted' }));
    let log = appendLive(EMPTY_LIVE, rows([1, 2, 3, 4]), 0, 4);
    const first = filterLog(log, rejected);
    log = appendLive(log, rows([5, 6]), 0, 4);
    const second = filterLog(log, rejected, first);
    expect(second.rows).toBe(first.rows);
    expect(viewNewestFirst(second).map((delivery) => delivery.seq)).toEqual([6, 4]);
    expect(viewSize(filterLog(log, NO_FILTER, second))).toBe(4);
    // The first view, read again (a paused screen), is what it was.
    expect(viewNewestFirst(first).map((delivery) => delivery.seq)).toEqual([4, 2]);
    expect(viewNewestAt(second, 0)?.seq).toBe(6);
  });

  it('merges two newest-first lists, each delivery once', () => {
    const live = [fleetDelivery({ seq: 9 }), fleetDelivery({ seq: 7 })];
    expect(mergeNewestFirst(live, [fleetDelivery({ seq: 8 }), fleetDelivery({ seq: 7 })]).map((delivery) => delivery.seq)).toEqual([9, 8, 7]);
    expect(mergeNewestFirst(live, [])).toBe(live);
  });
});

describe('the live export', () => {
  it('writes CSV a spreadsheet cannot run: formula starts prefixed, quotes and commas quoted', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(202)).toBe('202');
    const csv = deliveriesCsv([fleetDelivery({ seq: 1, deliveryId: '=cmd|\' /C calc\'!A0' })]);
    const [header, line] = csv.split('\r\n');
    expect(header).toBe('receivedAt,fleetId,nodeId,nodeUrl,integrationId,status,outcome,reason,diagnosis,sourceIp,deliveryId,requestId,seq');
    expect(line).toContain(",'=cmd|' /C calc'!A0,");
  });
});

describe('the live filters', () => {
  const failed = fleetDelivery({ seq: 1, outcome: 'rejected', reason: 'signature_invalid', diagnosis: 'secret_whitespace', fleetId: 'eu', sourceIp: '203.0.113.9' });
  const ok = fleetDelivery({ seq: 2, fleetId: 'us', integrationId: 'github' });
  const matching = (filter: Partial<typeof NO_FILTER>) => [failed, ok].filter((delivery) => matchesLive(delivery, { ...NO_FILTER, ...filter }));

  it('match by fleet, integration, outcome and reason', () => {
    expect(matching({})).toEqual([failed, ok]);
    expect(matching({ fleetId: 'eu' })).toEqual([failed]);
    expect(matching({ integrationId: 'github' })).toEqual([ok]);
    expect(matching({ outcome: 'accepted' })).toEqual([ok]);
    expect(matching({ reason: 'signature_invalid' })).toEqual([failed]);
    expect(matching({ fleetId: 'eu', outcome: 'accepted' })).toEqual([]);
  });

  it('match text in the integration, reason, diagnosis, source address or request id, whatever its case', () => {
    expect(matching({ text: 'WHITESPACE' })).toEqual([failed]);
    expect(matching({ text: '203.0.113' })).toEqual([failed]);
    expect(matching({ text: 'r2' })).toEqual([ok]);
    expect(matching({ text: '  ' })).toEqual([failed, ok]);
  });

  it('travel in a link: what one screen writes, Live reads back', () => {
    const filter = { ...NO_FILTER, fleetId: 'eu', node: 'https://n1:9090', integrationId: 'pay', outcome: 'rejected', reason: 'timestamp_stale', deliveryId: 'evt_1', requestId: 'r1', sourceIp: '1.2.3.4', text: 'x' } as const;
    expect(liveHref(filter)).toBe('#live?fleet=eu&node=https%3A%2F%2Fn1%3A9090&integration=pay&outcome=rejected&reason=timestamp_stale&delivery=evt_1&request=r1&source=1.2.3.4&text=x');
    expect(filterFromQuery(liveHref(filter).split('?')[1] ?? '')).toEqual(filter);
    expect(routeFromHash(liveHref(filter))).toEqual({ screen: 'live', filter });
    expect(filterFromQuery('outcome=exploded&reason=nope')).toEqual(NO_FILTER);
    expect(liveHref({})).toBe('#live');
  });
});

describe('the routes', () => {
  it('read a screen, an integration, or fall back to the fleets', () => {
    expect(routeFromHash('#audit')).toEqual({ screen: 'audit' });
    expect(routeFromHash('#integration/eu/stripe%2Fpayments')).toEqual({ screen: 'integration', fleetId: 'eu', integrationId: 'stripe/payments' });
    expect(routeFromHash('#nowhere')).toEqual({ screen: 'fleets' });
    expect(routeFromHash('')).toEqual({ screen: 'fleets' });
  });
});

describe('the inventory table', () => {
  const now = Date.parse('2026-11-24T10:00:00Z');
  const daysAgo = (days: number) => new Date(now - days * 86_400_000).toISOString();
  const entry = (fields: Partial<IntegrationEntry>): IntegrationEntry => ({
    id: 'pay',
    fleetId: 'eu',
    scheme: 'stripe',
    path: '/hooks/pay',
    status: 'active',
    kill: null,
    secrets: [{ id: 's1', createdAt: daysAgo(10), fingerprint: 'abcd1234', state: 'active', source: 'file' }],
    limits: { toleranceSeconds: 300, dedupeWindowSeconds: 259_200, maxBodyBytes: 1_048_576, rateLimit: null },
    heldCount: 0,
    counts24h: { total: 100, accepted: 100, rejected: 0, duplicate: 0 },
    lastDeliveryAt: null,
    drift: [],
    nodes: [
      { url: 'https://n1:9090', status: 'active', secretIds: ['s1'] },
      { url: 'https://n2:9090', status: 'active', secretIds: ['s1'] },
    ],
    warnings: [],
    ...fields,
  });
  const ids = (rows: readonly IntegrationEntry[]) => rows.map((row) => row.id);

  it('filters by fleet, status and text (the fleet\'s name too)', () => {
    const rows = [entry({ id: 'a' }), entry({ id: 'b', status: 'killed' }), entry({ id: 'c', scheme: 'github', fleetId: 'us' })];
    const sort = { key: 'id', descending: false } as const;
    expect(ids(inventoryRows(rows, { ...NO_INVENTORY_FILTER, status: 'killed' }, sort, { now }))).toEqual(['b']);
    expect(ids(inventoryRows(rows, { ...NO_INVENTORY_FILTER, text: 'GITHUB' }, sort, { now }))).toEqual(['c']);
    expect(ids(inventoryRows(rows, { ...NO_INVENTORY_FILTER, fleetId: 'eu' }, sort, { now }))).toEqual(['a', 'b']);
    expect(ids(inventoryRows(rows, { ...NO_INVENTORY_FILTER, text: 'united' }, sort, { now, fleetName: (id) => (id === 'us' ? 'United States' : id) }))).toEqual(['c']);
  });

  it('sorts by any column, either way', () => {
    const rows = [
      entry({ id: 'a', counts24h: { total: 10, accepted: 10, rejected: 0, duplicate: 0 } }),
      entry({ id: 'b', counts24h: { total: 10, accepted: 5, rejected: 5, duplicate: 0 } }),
      entry({ id: 'c', counts24h: { total: 10, accepted: 9, rejected: 1, duplicate: 0 } }),
    ];
    expect(ids(inventoryRows(rows, NO_INVENTORY_FILTER, { key: 'failureRate', descending: true }, { now }))).toEqual(['b', 'c', 'a']);
    expect(ids(inventoryRows(rows, NO_INVENTORY_FILTER, { key: 'id', descending: true }, { now }))).toEqual(['c', 'b', 'a']);
  });

  it('ages secrets from the oldest one a sender may still sign with', () => {
    const secrets = [
      { id: 's0', createdAt: daysAgo(400), fingerprint: '00000000', state: 'retired' as const, source: 'file' as const },
      { id: 's1', createdAt: daysAgo(100), fingerprint: 'abcd1234', state: 'expiring' as const, source: 'file' as const },
      { id: 's2', createdAt: daysAgo(1), fingerprint: 'ef012345', state: 'active' as const, source: 'runtime' as const },
    ];
    expect(oldestSecretDays(entry({ secrets }), now)).toBe(100);
    expect(oldestSecretDays(entry({ secrets: [] }), now)).toBeNull();
  });

  it('names the nodes that disagree, and only needs attention when something is off', () => {
    expect(nodeDrift(entry({}))).toEqual([]);
    expect(needsAttention(entry({}), now)).toBe(false);
    const drifting = entry({
      nodes: [
        { url: 'https://n1:9090', status: 'active', secretIds: ['s1', 's2'] },
        { url: 'https://n2:9090', status: 'killed', secretIds: ['s1'] },
        { url: 'https://n3:9090', status: 'missing', secretIds: [] },
      ],
    });
    expect(nodeDrift(drifting)).toEqual([
      'missing on n3:9090',
      'status differs: n1:9090 active, n2:9090 killed',
      'secrets differ: n1:9090 [s1, s2], n2:9090 [s1]',
    ]);
    expect(needsAttention(drifting, now)).toBe(true);
    expect(needsAttention(entry({ secrets: [{ id: 's1', createdAt: daysAgo(91), fingerprint: 'abcd1234', state: 'active', source: 'file' }] }), now)).toBe(true);
  });
});

describe('the delivery drawer\'s raw view, cURL and header edits', () => {
  const bytes = (text: string, ...extra: number[]) => new Uint8Array([...new TextEncoder().encode(text), ...extra]);

  it('shows the exact bytes: line ends, tabs, control characters and non-UTF-8 bytes made visible', () => {
    const { pieces } = bytePieces(bytes('{"a":"é"}\r\n\t', 0x00, 0xff, 0x0a));
    expect(pieces).toEqual([
      { kind: 'text', text: '{"a":"é"}' },
      { kind: 'cr' },
      { kind: 'lf' },
      { kind: 'tab' },
      { kind: 'hex', byte: 0x00, why: 'control' },
      { kind: 'hex', byte: 0xff, why: 'not-utf8' },
      { kind: 'lf' },
    ]);
    expect(byteSummary(bytes('{}\n'))).toEqual({ length: 3, lf: 1, crlf: 0, endsWith: 'lf', invalidUtf8: 0 });
    expect(byteSummary(bytes('a\r\nb\r\n', 0xc3))).toMatchObject({ lf: 2, crlf: 2, endsWith: 'none', invalidUtf8: 1 });
    expect(bytePieces(bytes('abcdef'), 3)).toEqual({ pieces: [{ kind: 'text', text: 'abc' }], truncated: true });
  });

  it('writes a cURL command with the exact bytes, signature headers redacted unless revealed', () => {
    const raw = { requestId: 'r1', integrationId: 'pay', method: 'POST', path: '/hooks/pay', query: '?a=1', bodyBase64: '', headers: { host: '127.0.0.1:8080', 'stripe-signature': 't=1,v1=abc', 'content-type': 'application/json', 'content-length': '9', 'x-note': "it's" } };
    const body = bytes('{"a":1}\n', 0xff);
    const signatures = signatureHeaderNames({ 'stripe-signature': '[redacted]' }, raw.headers);
    expect([...signatures]).toEqual(['stripe-signature']);
    const hidden = curlCommand(raw, body, { signatureHeaders: signatures, revealSignatures: false });
    expect(hidden).toBe(
      [
        "curl -X POST $'http://127.0.0.1:8080/hooks/pay?a=1'",
        "-H $'stripe-signature: [redacted]'",
        "-H $'content-type: application/json'",
        "-H $'x-note: it\\'s'",
        "--data-binary $'{\"a\":1}\\n\\xff'",
      ].join(' \\\n  '),
    );
    expect(curlCommand(raw, body, { signatureHeaders: signatures, revealSignatures: true })).toContain("-H $'stripe-signature: t=1,v1=abc'");
    expect(shellBytes(bytes('\\ \r\t'))).toBe("$'\\\\ \\r\\t'");
  });

  it('turns edited header text into edits: changed, added and removed, and names a bad line', () => {
    const original = editableHeaders({ host: 'x', 'content-type': 'application/json', 'stripe-signature': 's', 'user-agent': 'Stripe/1.0' }, new Set(['stripe-signature']));
    expect(original).toBe('content-type: application/json\nuser-agent: Stripe/1.0');
    expect(headerEdits('content-type: text/plain\nx-extra: 1\n', original)).toEqual({ edits: { 'content-type': 'text/plain', 'x-extra': '1', 'user-agent': '' } });
    expect(headerEdits(original, original)).toEqual({ edits: {} });
    expect(headerEdits('content-type application/json', original)).toEqual({ error: 'line 1 is not "Name: value": content-type application/json' });
  });
});
