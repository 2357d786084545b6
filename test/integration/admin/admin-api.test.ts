import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  apiError,
  auditLog,
  deliveryDetail,
  deliveryPage,
  integrationList,
  integrationView,
  nodeInfo,
  rawDelivery,
  statsView,
  type DeliverySummary,
  type TokenScope,
} from '../../../shared/contract/admin-api.js';
import { newSecret, sampleBody, sign } from '../../helpers/signers.js';
import { startTestReceiver, tempDir, type TestReceiver } from '../../helpers/test-receiver.js';

/** The admin API of DESIGN §2.5 through a real receiver: auth, routes, stream, TLS. */

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const newToken = () => randomBytes(32).toString('base64url');
const TOKENS: Record<TokenScope, string> = { read: newToken(), operate: newToken(), admin: newToken() };
const TOKEN_NAMES: Record<TokenScope, string> = { read: 'reader', operate: 'operator', admin: 'root' };
const SECRET = newSecret('stripe');

function receiverConfig(admin: Record<string, unknown> = {}) {
  return {
    admin: {
      listen: '127.0.0.1:0',
      // Only the admin token may read raw payloads: that permission is separate from the scope.
      tokens: (Object.keys(TOKENS) as TokenScope[]).map((scope) => ({ name: TOKEN_NAMES[scope], sha256: sha256(TOKENS[scope]), scope, payloads: scope === 'admin' })),
      ...admin,
    },
    integrations: [{ id: 'pay', scheme: 'stripe', secrets: [{ id: 's1', value: SECRET }], capture: { retentionDays: 1 } }],
  };
}

/**
 * The receiver's clock runs ahead of the wall clock by `offset`: the auth throttle refills by
 * it, so the matrix's deliberate failures do not lock the test out. Deliveries are signed on the
 * receiver's clock so the skew stays small.
 */
let offset = 0;
const clock = () => Date.now() + offset;
const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

function client(receiver: TestReceiver) {
  const base = `${receiver.engine.adminUrl ?? ''}/admin/v1`;
  return async (method: string, path: string, options: { token?: string; body?: unknown; rawBody?: string } = {}): Promise<Answer> => {
    const headers: Record<string, string> = {};
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  };
}

async function deliver(receiver: TestReceiver, secret = SECRET): Promise<{ status: number; requestId: string; body: string }> {
  const body = sampleBody('stripe');
  const answer = await receiver.post('/hooks/pay', await sign('stripe', { secret, body, timestamp: Math.floor(clock() / 1000) }));
  return { status: answer.status, requestId: answer.json.requestId ?? '', body };
}

describe('admin API', () => {
  let receiver: TestReceiver;
  let api: ReturnType<typeof client>;
  beforeAll(async () => {
    receiver = await startTestReceiver(receiverConfig(), { now: clock });
    api = client(receiver);
  });
  afterAll(() => receiver.close());

  type Caller = 'none' | 'wrong' | TokenScope;
  const CALLERS: readonly Caller[] = ['none', 'wrong', 'read', 'operate', 'admin'];
  const tokenOf = (caller: Caller) => (caller === 'none' ? undefined : caller === 'wrong' ? newToken() : TOKENS[caller]);
  const RANK: Record<TokenScope, number> = { read: 0, operate: 1, admin: 2 };

  interface MatrixRoute {
    readonly scope: TokenScope;
    /** The route also needs the token's `payloads` permission. */
    readonly payloads?: true;
    /** Builds the request; runs any setup the allowed call needs (e.g. a kill to release). */
    readonly request: (allowed: boolean) => Promise<{ method: string; path: string; body?: unknown }>;
  }

  let secretCount = 0;
  const ROUTES: readonly MatrixRoute[] = [
    { scope: 'read', request: async () => ({ method: 'GET', path: '/node' }) },
    { scope: 'read', request: async () => ({ method: 'GET', path: '/integrations' }) },
    { scope: 'read', request: async () => ({ method: 'GET', path: '/deliveries?limit=5' }) },
    {
      scope: 'read',
      request: async () => ({ method: 'GET', path: `/deliveries/${(await deliver(receiver)).requestId}` }),
    },
    {
      scope: 'read',
      payloads: true,
      request: async () => ({ method: 'GET', path: `/deliveries/${(await deliver(receiver)).requestId}/raw` }),
    },
    { scope: 'read', request: async () => ({ method: 'GET', path: '/whoami' }) },
    { scope: 'read', request: async () => ({ method: 'GET', path: '/stats?step=60' }) },
    { scope: 'read', request: async () => ({ method: 'GET', path: '/audit' }) },
    { scope: 'operate', request: async () => ({ method: 'POST', path: '/integrations/pay/kill', body: { mode: 'hold', reason: 'matrix' } }) },
    {
      scope: 'operate',
      request: async (allowed) => {
        if (allowed) await receiver.engine.commands.kill({ name: 'setup', sourceIp: '127.0.0.1' }, 'pay', { mode: 'hold', reason: 'to release' });
        return { method: 'DELETE', path: '/integrations/pay/kill', body: { reason: 'matrix' } };
      },
    },
    {
      scope: 'admin',
      request: async () => ({ method: 'POST', path: '/integrations/pay/secrets', body: { secret: newSecret('stripe'), id: `m${++secretCount}`, overlapSeconds: 3600 } }),
    },
    {
      scope: 'admin',
      request: async (allowed) => {
        const id = `r${++secretCount}`;
        if (allowed) await receiver.engine.commands.addSecret({ name: 'setup', sourceIp: '127.0.0.1' }, 'pay', { secret: newSecret('stripe'), id, overlapSeconds: 3600 });
        return { method: 'DELETE', path: `/integrations/pay/secrets/${id}` };
      },
    },
    {
      scope: 'admin',
      request: async (allowed) => {
        const id = `p${++secretCount}`;
        if (allowed) await receiver.engine.commands.addSecret({ name: 'setup', sourceIp: '127.0.0.1' }, 'pay', { secret: newSecret('stripe'), id, pending: true });
        return { method: 'POST', path: `/integrations/pay/secrets/${id}/confirm`, body: { overlapSeconds: 3600 } };
      },
    },
  ];

  it('answers each caller on each route: 401 without a valid token, 403 without the scope, 200 with it', async () => {
    const results: string[] = [];
    const expected: string[] = [];
    for (const route of ROUTES) {
      for (const caller of CALLERS) {
        const allowed = caller !== 'none' && caller !== 'wrong' && RANK[caller] >= RANK[route.scope] && (route.payloads !== true || caller === 'admin');
        const { method, path, body } = await route.request(allowed);
        const answer = await api(method, path, { ...(tokenOf(caller) === undefined ? {} : { token: tokenOf(caller) as string }), body });
        results.push(`${caller} ${method} ${path.split('?')[0]?.replace(/\/deliveries\/[^/]+/, '/deliveries/{id}').replace(/secrets\/\w+/, 'secrets/{id}')} → ${answer.status}`);
        expected.push(
          `${caller} ${method} ${path.split('?')[0]?.replace(/\/deliveries\/[^/]+/, '/deliveries/{id}').replace(/secrets\/\w+/, 'secrets/{id}')} → ${caller === 'none' || caller === 'wrong' ? 401 : allowed ? 200 : 403}`,
        );
        if (answer.status >= 400) expect(apiError.safeParse(answer.body).success).toBe(true);
        if (answer.status === 401) {
          expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
          // One failure token back per 6 s: keep the throttle out of this matrix.
          offset += 6_000;
        }
      }
    }
    expect(results).toEqual(expected);

    // The stream too: headers arrive, then the caller hangs up.
    for (const caller of CALLERS) {
      const stream = await openStream(receiver, { token: tokenOf(caller) });
      stream.close();
      expect(stream.status).toBe(caller === 'none' || caller === 'wrong' ? 401 : 200);
      if (stream.status === 401) offset += 6_000;
    }
  });

  it('records every refusal (summed up per caller and minute) and every change in the audit log, hash-chained, without tokens or secret values', async () => {
    // Refusals are written when their minute is over.
    offset += 60_000;
    const answer = await api('GET', '/audit?limit=1000', { token: TOKENS.read });
    const audit = auditLog.parse(answer.body);
    expect(audit.chain).toEqual({ verified: true });
    const refusals = audit.entries.filter((entry) => entry.action === 'auth.refused');
    const count = (status: number, actor: string) =>
      refusals.filter((entry) => entry.details.status === status && entry.actor === actor).reduce((sum, entry) => sum + Number(entry.details.count), 0);
    // Every 401 of the matrix (none and wrong on each route, and on the stream) is counted, in fewer entries than requests.
    expect(count(401, 'anonymous')).toBe(2 * ROUTES.length + 2);
    expect(refusals.filter((entry) => entry.details.status === 401).length).toBeLessThan(2 * ROUTES.length + 2);
    const readerRefusals = refusals.filter((entry) => entry.details.status === 403 && entry.actor === 'reader');
    expect(readerRefusals.flatMap((entry) => entry.details.routes as string[])).toContain('POST /admin/v1/integrations/pay/kill');
    expect(readerRefusals[0]?.details.sourceIp).toMatch(/127\.0\.0\.1/);
    expect(audit.entries.find((entry) => entry.action === 'kill.engage' && entry.actor === 'operator')).toMatchObject({ integrationId: 'pay', details: { mode: 'hold' } });
    expect(audit.entries.find((entry) => entry.action === 'secret.add' && entry.actor === 'root')).toBeDefined();
    expect(audit.entries.find((entry) => entry.action === 'secret.confirm' && entry.actor === 'root')).toBeDefined();
    expect(audit.entries.find((entry) => entry.action === 'payload.read' && entry.actor === 'root')?.details.requestId).toMatch(/\S/);
    // Newest first: each entry links to the one after it in the page.
    audit.entries.forEach((entry, index) => expect(entry.prevHash).toBe(entry.seq === 1 ? '0'.repeat(64) : audit.entries[index + 1]?.hash));
    const text = JSON.stringify(audit);
    for (const token of Object.values(TOKENS)) expect(text).not.toContain(token);
    expect(text).not.toContain(SECRET);
  });

  it('throttles a source after repeated failures with 429 and Retry-After, whatever token it then shows', async () => {
    offset += 120_000;
    for (let attempt = 0; attempt < 10; attempt++) expect((await api('GET', '/node', { token: 'guess' })).status).toBe(401);
    const throttled = await api('GET', '/node', { token: TOKENS.admin });
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    offset += 120_000;
    expect((await api('GET', '/node', { token: TOKENS.admin })).status).toBe(200);
  });

  it('refuses bad input with 400 naming the field, unknown routes with 404, wrong methods with 405', async () => {
    const token = TOKENS.admin;
    const cases: [Answer, number, string, RegExp?][] = [
      [await api('GET', '/deliveries?limit=9999', { token }), 400, 'invalid_request', /limit/],
      [await api('GET', '/deliveries?outcome=won', { token }), 400, 'invalid_request', /outcome/],
      [await api('GET', '/deliveries?bogus=1', { token }), 400, 'invalid_request', /bogus/],
      [await api('GET', '/deliveries?limit=1&limit=2', { token }), 400, 'invalid_request', /limit/],
      [await api('GET', '/stats?step=61', { token }), 400, 'invalid_request', /step/],
      [await api('POST', '/integrations/pay/kill', { token, body: { mode: 'explode', reason: 'x' } }), 400, 'invalid_request', /mode/],
      [await api('POST', '/integrations/pay/kill', { token, body: { mode: 'reject' } }), 400, 'invalid_request', /reason/],
      [await api('POST', '/integrations/pay/kill', { token, rawBody: '{"mode": "reject", ' }), 400, 'invalid_request', /JSON/],
      [await api('POST', '/integrations/pay/kill', { token, rawBody: JSON.stringify({ mode: 'reject', reason: 'x'.repeat(70_000) }) }), 413, 'body_too_large'],
      [await api('POST', '/integrations/nope/kill', { token, body: { mode: 'reject', reason: 'x' } }), 404, 'integration_not_found'],
      [await api('GET', '/deliveries/no-such-id', { token }), 404, 'not_found'],
      [await api('GET', '/nothing-here', { token }), 404, 'not_found'],
      [await api('PUT', '/node', { token }), 405, 'method_not_allowed'],
    ];
    for (const [answer, status, code, message] of cases) {
      expect(answer.status).toBe(status);
      const error = apiError.parse(answer.body).error;
      expect(error.code).toBe(code);
      if (message) expect(error.message).toMatch(message);
    }
    expect(cases.at(-1)?.[0].headers.get('allow')).toBe('GET');

    // A secret that fails validation is never echoed back.
    const secret = newSecret('stripe');
    const refused = await api('POST', '/integrations/pay/secrets', { token, body: { secret, id: 'bad id!' } });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).not.toContain(secret);
  });

  it('serves node and integration views that match the contract, with secrets as fingerprints only', async () => {
    expect(nodeInfo.parse((await api('GET', '/node', { token: TOKENS.read })).body).nodeId).toBe(receiver.engine.nodeId);
    const { integrations } = integrationList.parse((await api('GET', '/integrations', { token: TOKENS.read })).body);
    expect(integrations.map((integration) => integration.id)).toEqual(['pay']);
    expect(JSON.stringify(integrations)).not.toContain(SECRET);
  });

  it('pages the delivery log newest first with cursors and filters it', async () => {
    const sent: string[] = [];
    for (let index = 0; index < 4; index++) sent.push((await deliver(receiver)).requestId);
    sent.push((await deliver(receiver, newSecret('stripe'))).requestId);
    await settle();
    const seen: DeliverySummary[] = [];
    let cursor: string | null = null;
    do {
      const answer = await api('GET', `/deliveries?limit=3${cursor === null ? '' : `&cursor=${cursor}`}`, { token: TOKENS.read });
      const page = deliveryPage.parse(answer.body);
      seen.push(...page.deliveries);
      cursor = page.nextCursor;
    } while (cursor !== null);
    const seqs = seen.map((delivery) => delivery.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seen.slice(0, 5).map((delivery) => delivery.requestId)).toEqual([...sent].reverse());

    const rejected = deliveryPage.parse((await api('GET', '/deliveries?outcome=rejected&reason=signature_invalid&integration=pay', { token: TOKENS.read })).body);
    expect(rejected.deliveries[0]).toMatchObject({ requestId: sent[4], outcome: 'rejected', reason: 'signature_invalid', status: 401 });
    expect(rejected.deliveries.every((delivery) => delivery.reason === 'signature_invalid')).toBe(true);
  });

  it('details an accepted delivery with its trace, and gives its captured request for replay', async () => {
    const { requestId, body, status } = await deliver(receiver);
    expect(status).toBe(202);
    const detail = deliveryDetail.parse((await api('GET', `/deliveries/${requestId}`, { token: TOKENS.read })).body);
    expect(detail).toMatchObject({ requestId, outcome: 'accepted', secretId: 's1', captured: true, integrationId: 'pay' });
    expect(detail.headers['stripe-signature']).toBe('[redacted]');
    expect(detail.trace.find((step) => step.step === 'signature')?.result).toBe('verified with secret "s1"');
    expect(detail.trace.find((step) => step.step === 'timestamp')?.result).toMatch(/within the tolerance/);

    const raw = rawDelivery.parse((await api('GET', `/deliveries/${requestId}/raw`, { token: TOKENS.admin })).body);
    expect(raw).toMatchObject({ requestId, integrationId: 'pay', method: 'POST', path: '/hooks/pay', query: '' });
    expect(Buffer.from(raw.bodyBase64, 'base64').toString('utf8')).toBe(body);
    expect(raw.headers['stripe-signature']).toMatch(/^t=\d+,v1=/);
  });

  it('serves statistics in the contract shape', async () => {
    const stats = statsView.parse((await api('GET', `/stats?step=300&since=${encodeURIComponent(new Date(clock() - 86_400_000).toISOString())}`, { token: TOKENS.read })).body);
    expect(stats.buckets.some((bucket) => bucket.integrationId === 'pay' && bucket.outcome === 'accepted' && bucket.count > 0)).toBe(true);
    expect(stats.bySecret.some((bucket) => bucket.secretId === 's1')).toBe(true);
    expect(stats.clockSkewMs.count).toBeGreaterThan(0);
    expect(stats.topRejectedSources[0]?.sourceIp).toMatch(/127\.0\.0\.1/);
  });

  it('engages and releases the kill switch, and rotates secrets, end to end', async () => {
    const killed = integrationView.parse((await api('POST', '/integrations/pay/kill', { token: TOKENS.operate, body: { mode: 'reject', reason: 'incident 42' } })).body);
    expect(killed).toMatchObject({ status: 'killed', kill: { mode: 'reject', reason: 'incident 42', actor: 'operator' } });
    expect((await deliver(receiver)).status).toBe(503);
    const released = integrationView.parse((await api('DELETE', '/integrations/pay/kill', { token: TOKENS.operate, body: { reason: 'resolved' } })).body);
    expect(released.status).toBe('active');
    expect((await deliver(receiver)).status).toBe(202);

    const next = newSecret('stripe');
    const added = await api('POST', '/integrations/pay/secrets', { token: TOKENS.admin, body: { secret: next, id: 'rot2', overlapSeconds: 600 } });
    expect(added.status).toBe(200);
    expect(JSON.stringify(added.body)).not.toContain(next);
    const view = integrationView.parse(added.body);
    expect(view.secrets.find((secret) => secret.id === 'rot2')).toMatchObject({ state: 'active', fingerprint: sha256(next).slice(0, 8) });
    expect((await deliver(receiver, next)).status).toBe(202);
    expect((await api('DELETE', '/integrations/pay/secrets/s1', { token: TOKENS.admin })).status).toBe(200);
    expect((await deliver(receiver)).status).toBe(401);
    expect((await deliver(receiver, next)).status).toBe(202);
  });
});

describe('admin event stream', () => {
  let receiver: TestReceiver;
  beforeAll(async () => {
    receiver = await startTestReceiver(receiverConfig(), { now: clock });
  });
  afterAll(() => receiver.close());

  it('streams live deliveries and, after a dropped connection, resumes with exactly the missed ones', async () => {
    const first = await openStream(receiver, { token: TOKENS.read });
    expect(first.status).toBe(200);
    expect(first.contentType).toBe('text/event-stream; charset=utf-8');
    const before: string[] = [];
    for (let index = 0; index < 3; index++) before.push((await deliver(receiver)).requestId);
    const live = await first.next(3);
    expect(live.map((event) => event.data.requestId)).toEqual(before);
    expect(live.map((event) => event.event)).toEqual(['delivery', 'delivery', 'delivery']);
    const lastId = live.at(-1)?.id ?? '';
    first.close();

    const missed: string[] = [];
    for (let index = 0; index < 3; index++) missed.push((await deliver(receiver)).requestId);
    missed.push((await deliver(receiver, newSecret('stripe'))).requestId);
    await settle();

    const resumed = await openStream(receiver, { token: TOKENS.read, lastEventId: lastId });
    const replayed = await resumed.next(4);
    expect(replayed.map((event) => event.data.requestId)).toEqual(missed);
    const after = (await deliver(receiver)).requestId;
    const all = await resumed.next(5);
    expect(all.map((event) => event.data.requestId)).toEqual([...missed, after]);
    await settle();
    expect(resumed.events).toHaveLength(5);
    const ids = resumed.events.map((event) => Number(event.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(ids[0]).toBe(Number(lastId) + 1);
    resumed.close();
  });

  it('filters by outcome and resumes from the lastEventId query parameter', async () => {
    const stream = await openStream(receiver, { token: TOKENS.read, query: 'outcome=rejected' });
    await deliver(receiver);
    const bad = (await deliver(receiver, newSecret('stripe'))).requestId;
    const [event] = await stream.next(1);
    expect(event?.data).toMatchObject({ requestId: bad, outcome: 'rejected', reason: 'signature_invalid' });
    stream.close();

    const resumed = await openStream(receiver, { token: TOKENS.read, query: `lastEventId=${Number(event?.id) - 2}` });
    expect((await resumed.next(2)).map((e) => Number(e.id))).toEqual([Number(event?.id) - 1, Number(event?.id)]);
    resumed.close();
  });

  it('refuses a malformed Last-Event-ID and an unknown filter', async () => {
    expect((await openStream(receiver, { token: TOKENS.read, lastEventId: 'abc' })).status).toBe(400);
    expect((await openStream(receiver, { token: TOKENS.read, query: 'sample=2' })).status).toBe(400);
  });

  it('ends open streams when the receiver shuts down instead of waiting for them', async () => {
    const own = await startTestReceiver(receiverConfig());
    const stream = await openStream(own, { token: TOKENS.read });
    const started = Date.now();
    await own.close();
    expect(Date.now() - started).toBeLessThan(3_000);
    await stream.ended;
  });
});

describe('admin API over TLS', () => {
  let pki: ReturnType<typeof makePki>;
  let receiver: TestReceiver | undefined;
  beforeAll(() => {
    pki = makePki();
  });
  afterAll(() => rmSync(pki.dir, { recursive: true, force: true }));
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  it('serves the admin API over HTTPS', async () => {
    receiver = await startTestReceiver(receiverConfig({ tls: { cert: pki.files.serverCert, key: pki.files.serverKey } }));
    expect(receiver.engine.adminUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const answer = await httpsGet(`${receiver.engine.adminUrl ?? ''}/admin/v1/node`, { ca: pki.ca, headers: { authorization: `Bearer ${TOKENS.read}` } });
    expect(answer.status).toBe(200);
    expect(nodeInfo.parse(JSON.parse(answer.body)).nodeId).toBe(receiver.engine.nodeId);
    await expect(fetch(`${(receiver.engine.adminUrl ?? '').replace('https:', 'http:')}/healthz`)).rejects.toThrow();
  });

  it('with clientCa, refuses a client without a certificate and admits one with a certificate from that CA', async () => {
    receiver = await startTestReceiver(
      receiverConfig({ tls: { cert: pki.files.serverCert, key: pki.files.serverKey, clientCa: pki.files.ca } }),
    );
    const url = `${receiver.engine.adminUrl ?? ''}/admin/v1/node`;
    const headers = { authorization: `Bearer ${TOKENS.read}` };
    await expect(httpsGet(url, { ca: pki.ca, headers })).rejects.toThrow();
    // A certificate from another CA is refused as well.
    await expect(httpsGet(url, { ca: pki.ca, headers, cert: readFileSync(pki.files.otherCert), key: readFileSync(pki.files.otherKey) })).rejects.toThrow();
    const answer = await httpsGet(url, { ca: pki.ca, headers, cert: pki.clientCert, key: pki.clientKey });
    expect(answer.status).toBe(200);
    // The client certificate does not replace the token.
    expect((await httpsGet(url, { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey })).status).toBe(401);
  });

  it('fails the start naming the key path when a TLS file cannot be read', async () => {
    const dir = tempDir();
    await expect(startTestReceiver(receiverConfig({ tls: { cert: 'missing.pem', key: pki.files.serverKey } }), { dir })).rejects.toThrow(/admin\.tls\.cert/);
    rmSync(dir, { recursive: true, force: true });
  });
});

interface StreamEvent {
  readonly id: string;
  readonly event: string;
  readonly data: DeliverySummary;
}

/** A minimal EventSource over fetch: parses events, and lets the test hang up. */
async function openStream(receiver: TestReceiver, options: { token?: string | undefined; lastEventId?: string; query?: string }) {
  const controller = new AbortController();
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;
  const response = await fetch(`${receiver.engine.adminUrl ?? ''}/admin/v1/stream${options.query ? `?${options.query}` : ''}`, { headers, signal: controller.signal });
  const events: StreamEvent[] = [];
  const waiters = new Set<() => void>();
  const ended = (async () => {
    if (response.status !== 200 || !response.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const fields = new Map<string, string>();
          for (const line of buffer.slice(0, end).split('\n')) {
            if (line.startsWith(':')) continue;
            const colon = line.indexOf(':');
            fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart());
          }
          buffer = buffer.slice(end + 2);
          if (fields.get('event') === 'delivery') {
            events.push({ id: fields.get('id') ?? '', event: 'delivery', data: JSON.parse(fields.get('data') ?? '{}') as DeliverySummary });
            for (const wake of waiters) wake();
          }
        }
      }
    } catch {
      // Aborted by the test.
    }
  })();
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    events,
    ended,
    close: () => controller.abort(),
    next(count: number): Promise<StreamEvent[]> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${events.length} of ${count} events arrived`)), 5_000);
        const check = () => {
          if (events.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(events.slice(0, count));
        };
        waiters.add(check);
        check();
      });
    },
  };
}

function httpsGet(
  url: string,
  options: { ca: Buffer; headers?: Record<string, string>; cert?: Buffer | undefined; key?: Buffer | undefined },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      url,
      { ca: options.ca, headers: options.headers ?? {}, ...(options.cert ? { cert: options.cert } : {}), ...(options.key ? { key: options.key } : {}), agent: false },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end();
  });
}

/** A throw-away CA, a server certificate for 127.0.0.1, a client certificate from the CA and one from another CA. */
function makePki() {
  const dir = tempDir();
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const file = (name: string) => join(dir, name);
  writeFileSync(file('server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  writeFileSync(file('client.ext'), 'extendedKeyUsage=clientAuth\n');
  const ca = (name: string) =>
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '1', '-subj', `/CN=${name}`);
  const leaf = (name: string, issuer: string, ext: string) => {
    openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', ext);
  };
  ca('ca');
  ca('other-ca');
  leaf('server', 'ca', 'server.ext');
  leaf('client', 'ca', 'client.ext');
  leaf('other', 'other-ca', 'client.ext');
  return {
    dir,
    ca: readFileSync(file('ca.pem')),
    clientCert: readFileSync(file('client.pem')),
    clientKey: readFileSync(file('client.key')),
    files: {
      ca: file('ca.pem'),
      serverCert: file('server.pem'),
      serverKey: file('server.key'),
      otherCert: file('other.pem'),
      otherKey: file('other.key'),
    },
  };
}
