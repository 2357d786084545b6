import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiError, auditLog, integrationList, integrationView, nodeInfo, rawDelivery, whoami, type AuditEntry } from '../../../shared/contract/admin-api.js';
import { jwsSigner, newSecret, sampleBody, sign } from '../../helpers/signers.js';
import { startTestReceiver, type TestReceiver } from '../../helpers/test-receiver.js';

/**
 * The admin plane under guessing and the permissions around payloads (issue 10 items 7 and 11, issue 9's
 * node side): each test fails on the code before these changes.
 */

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const newToken = () => randomBytes(32).toString('base64url');
const READER = newToken();
const PAYLOAD_READER = newToken();
const ADMIN = newToken();
const SECRET = newSecret('stripe');

let offset = 0;
const clock = () => Date.now() + offset;

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: unknown;
}

/** One admin call from a chosen loopback address (127.x.y.z all reach the node), so many "addresses" can be tried. */
function call(receiver: TestReceiver, method: string, path: string, options: { token?: string; from?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
  const url = new URL(`${receiver.engine.adminUrl ?? ''}/admin/v1${path}`);
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      {
        method,
        localAddress: options.from ?? '127.0.0.1',
        agent: false,
        headers: {
          ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
          // Node sends a DELETE body only with a declared length.
          ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }),
          ...options.headers,
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text === '' ? undefined : (JSON.parse(text) as unknown) }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

async function allAudit(receiver: TestReceiver): Promise<AuditEntry[]> {
  const answer = await call(receiver, 'GET', '/audit?limit=1000', { token: READER });
  const log = auditLog.parse(answer.body);
  expect(log.chain).toEqual({ verified: true });
  return log.entries;
}

/**
 * A node with the `pay` integration on the test clock, the `reader` and `root` tokens, `tokens`
 * between them, and the admin options a describe block needs.
 */
function startAdminNode(tokens: readonly { name: string; sha256: string; scope: string; payloads?: boolean }[], admin: Record<string, unknown> = {}): Promise<TestReceiver> {
  return startTestReceiver(
    {
      admin: {
        listen: '127.0.0.1:0',
        tokens: [{ name: 'reader', sha256: sha256(READER), scope: 'read' }, ...tokens, { name: 'root', sha256: sha256(ADMIN), scope: 'admin' }],
        ...admin,
      },
      integrations: [{ id: 'pay', scheme: 'stripe', secrets: [{ id: 's1', value: SECRET }] }],
    },
    { now: clock },
  );
}

describe('admin plane under guessing', () => {
  let receiver: TestReceiver;
  beforeAll(async () => {
    // Small budgets so the test stays short; one failure comes back per minute.
    receiver = await startAdminNode([], { authFailures: { perSource: { burst: 5, perMinute: 1 }, global: { burst: 30, perMinute: 1 } } });
  });
  afterAll(() => receiver.close());

  it('sums up repeated refusals into one audit entry per address per minute, with the count', async () => {
    // The console authenticates first: its address is known from then on.
    expect((await call(receiver, 'GET', '/node', { token: READER })).status).toBe(200);
    for (const from of ['127.0.2.1', '127.0.2.2', '127.0.2.3']) {
      for (let attempt = 0; attempt < 4; attempt++) expect((await call(receiver, 'GET', '/node', { token: newToken(), from })).status).toBe(401);
    }
    offset += 60_000;
    const refusals = (await allAudit(receiver)).filter((entry) => entry.action === 'auth.refused' && String(entry.details.sourceIp).includes('127.0.2.'));
    expect(refusals.map((entry) => [entry.details.sourceIp, entry.details.count]).sort()).toEqual([
      ['127.0.2.1', 4],
      ['127.0.2.2', 4],
      ['127.0.2.3', 4],
    ]);
    expect(refusals[0]?.details).toMatchObject({ status: 401, problem: 'unknown token', routes: ['GET /admin/v1/node'] });
  });

  it('spends a global budget of failures across addresses: then 429 with Retry-After for new addresses, while the console still gets in', async () => {
    // Part of the 30 was spent above; the rest goes from addresses that each stay under their own limit.
    const answers: number[] = [];
    for (let index = 0; index < 40 && answers.at(-1) !== 429; index++) {
      answers.push((await call(receiver, 'GET', '/integrations', { token: newToken(), from: `127.0.3.${index + 1}` })).status);
    }
    expect(answers.at(-1)).toBe(429);
    expect(answers.filter((status) => status === 401).length).toBeGreaterThan(10);
    const stranger = await call(receiver, 'GET', '/node', { token: ADMIN, from: '127.0.4.1' });
    expect(stranger.status).toBe(429);
    expect(Number(stranger.headers['retry-after'])).toBeGreaterThan(0);
    expect(apiError.parse(stranger.body).error.code).toBe('too_many_failures');
    const guess = newToken();
    const guessed = await call(receiver, 'GET', '/node', { token: guess, from: '127.0.4.2' });
    expect(guessed.status).toBe(429);
    expect(JSON.stringify(guessed)).not.toContain(guess);
    // The console's address authenticated before the attack: its token is still heard.
    expect((await call(receiver, 'GET', '/node', { token: READER })).status).toBe(200);
    // The 429s are audited too, summed up like the 401s.
    offset += 60_000;
    const throttled = (await allAudit(receiver)).filter((entry) => entry.action === 'auth.refused' && entry.details.status === 429);
    expect(throttled.map((entry) => entry.details.sourceIp).sort()).toEqual([`127.0.3.${answers.length}`, '127.0.4.1', '127.0.4.2']);
    // The budget refills with time.
    offset += 120_000;
    expect((await call(receiver, 'GET', '/node', { token: ADMIN, from: '127.0.4.1' })).status).toBe(200);
  });
});

describe('admin audit paging', () => {
  let receiver: TestReceiver;
  beforeAll(async () => {
    receiver = await startTestReceiver({
      admin: { listen: '127.0.0.1:0', tokens: [{ name: 'root', sha256: sha256(ADMIN), scope: 'admin' }] },
      integrations: [{ id: 'pay', scheme: 'stripe', secrets: [{ id: 's1', value: SECRET }] }],
    });
  });
  afterAll(() => receiver.close());

  it('pages /audit newest first with a cursor, each page verifiable and the whole chain verified', async () => {
    for (let index = 0; index < 7; index++) {
      await call(receiver, 'POST', '/integrations/pay/kill', { token: ADMIN, body: { mode: 'hold', reason: `drill ${index}` } });
      await call(receiver, 'DELETE', '/integrations/pay/kill', { token: ADMIN, body: { reason: `drill ${index} over` } });
    }
    const seqs: number[] = [];
    let cursor: string | null | undefined;
    do {
      const page = auditLog.parse((await call(receiver, 'GET', `/audit?limit=5${cursor ? `&cursor=${cursor}` : ''}`, { token: ADMIN })).body);
      expect(page.chain).toEqual({ verified: true });
      expect(page.entries.length).toBeLessThanOrEqual(5);
      page.entries.slice(0, -1).forEach((entry, index) => expect(entry.prevHash).toBe(page.entries[index + 1]?.hash));
      seqs.push(...page.entries.map((entry) => entry.seq));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seqs).toEqual(Array.from({ length: 14 }, (_, index) => 14 - index));
    const bad = await call(receiver, 'GET', '/audit?limit=5000', { token: ADMIN });
    expect(bad.status).toBe(400);
    expect(apiError.parse(bad.body).error.message).toMatch(/limit/);
  });
});

describe('payload permission, whoami and the person at the console', () => {
  let receiver: TestReceiver;
  beforeAll(async () => {
    receiver = await startAdminNode([{ name: 'support', sha256: sha256(PAYLOAD_READER), scope: 'read', payloads: true }]);
  });
  afterAll(() => receiver.close());

  async function deliver(secret = SECRET): Promise<{ status: number; requestId: string }> {
    const answer = await receiver.post('/hooks/pay', await sign('stripe', { secret, body: sampleBody('stripe'), timestamp: Math.floor(clock() / 1000) }));
    return { status: answer.status, requestId: answer.json.requestId ?? '' };
  }

  it('reports what the calling token may do', async () => {
    expect(whoami.parse((await call(receiver, 'GET', '/whoami', { token: READER })).body)).toEqual({ name: 'reader', scope: 'read', payloads: false });
    expect(whoami.parse((await call(receiver, 'GET', '/whoami', { token: PAYLOAD_READER })).body)).toEqual({ name: 'support', scope: 'read', payloads: true });
    expect(whoami.parse((await call(receiver, 'GET', '/whoami', { token: ADMIN })).body)).toEqual({ name: 'root', scope: 'admin', payloads: false });
  });

  it('serves raw payloads only to a token given "payloads", audits every read with the person, and names the refusal', async () => {
    const { requestId } = await deliver();
    for (const token of [READER, ADMIN]) {
      const refused = await call(receiver, 'GET', `/deliveries/${requestId}/raw`, { token });
      expect(refused.status).toBe(403);
      expect(apiError.parse(refused.body).error.code).toBe('payloads_not_permitted');
    }
    const person = { 'x-hookwarden-person': 'ana@desk-7' };
    for (let read = 0; read < 2; read++) {
      const answer = await call(receiver, 'GET', `/deliveries/${requestId}/raw`, { token: PAYLOAD_READER, headers: person });
      expect(rawDelivery.parse(answer.body).requestId).toBe(requestId);
    }
    const reads = (await allAudit(receiver)).filter((entry) => entry.action === 'payload.read');
    expect(reads).toHaveLength(2);
    expect(reads[0]).toMatchObject({ actor: 'support', person: 'ana@desk-7', integrationId: 'pay', details: { requestId } });
  });

  it('records the person sanitised (printable, at most 128 characters) and keeps kill reasons free of control and bidi characters', async () => {
    // HTTP lets a header carry tabs and Latin-1 bytes, C1 controls among them (0x9b is a terminal's CSI).
    const person = `\u009b31mmallory\t@host\u0085${'x'.repeat(300)}`;
    const killed = await call(receiver, 'POST', '/integrations/pay/kill', {
      token: ADMIN,
      headers: { 'x-hookwarden-person': person },
      body: { mode: 'hold', reason: 'incident\u0000 \u001b[2J42\u202e\u2066 spoof\u0007' },
    });
    expect(integrationView.parse(killed.body).kill?.reason).toBe('incident [2J42 spoof');
    await call(receiver, 'DELETE', '/integrations/pay/kill', { token: ADMIN, body: { reason: '\u0000\u202e' } }).then((answer) => {
      expect(answer.status).toBe(400);
      expect(apiError.parse(answer.body).error.message).toMatch(/reason: a reason is required/);
    });
    const engaged = (await allAudit(receiver)).find((entry) => entry.action === 'kill.engage');
    const recorded = engaged?.person ?? '';
    expect(recorded).toMatch(/31mmallory@host.*x{100}$/);
    // eslint-disable-next-line no-control-regex -- asserting their absence
    expect(recorded).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(recorded.length).toBeLessThanOrEqual(128);
    expect(engaged?.details.reason).toBe('incident [2J42 spoof');
    await call(receiver, 'DELETE', '/integrations/pay/kill', { token: ADMIN, body: { reason: 'over' } });
  });

  it('answers malformed percent-encoding with 400 (after authentication) and keeps serving', async () => {
    const malformed = await call(receiver, 'GET', '/deliveries/%E0%A4%A', { token: READER });
    expect(malformed.status).toBe(400);
    expect(apiError.parse(malformed.body).error.message).toMatch(/percent-encoding/);
    expect((await call(receiver, 'GET', '/deliveries/%E0%A4%A')).status).toBe(401);
    expect((await call(receiver, 'GET', '/node', { token: READER })).status).toBe(200);
  });

  it('reports the node clock and readiness in GET /node', async () => {
    const info = nodeInfo.parse((await call(receiver, 'GET', '/node', { token: READER })).body);
    expect(Math.abs(Date.parse(info.time ?? '') - clock())).toBeLessThan(60_000);
    expect(info.ready).toBe(true);
  });

  it('rotates with a pending secret: both verify, the old one gets no expiry until the new one is confirmed', async () => {
    const next = newSecret('stripe');
    const added = integrationView.parse((await call(receiver, 'POST', '/integrations/pay/secrets', { token: ADMIN, body: { secret: next, id: 'next', pending: true } })).body);
    expect(added.secrets.find((secret) => secret.id === 's1')).toMatchObject({ state: 'active' });
    expect(added.secrets.find((secret) => secret.id === 's1')?.expiresAt).toBeUndefined();
    expect(added.secrets.find((secret) => secret.id === 'next')).toMatchObject({ state: 'active', pending: true });
    expect((await deliver(SECRET)).status).toBe(202);
    expect((await deliver(next)).status).toBe(202);

    const confirmed = await call(receiver, 'POST', '/integrations/pay/secrets/next/confirm', { token: ADMIN, body: { overlapSeconds: 600 } });
    const view = integrationView.parse(confirmed.body);
    expect(view.secrets.find((secret) => secret.id === 's1')).toMatchObject({ state: 'expiring' });
    expect(Date.parse(view.secrets.find((secret) => secret.id === 's1')?.expiresAt ?? '') - clock()).toBeGreaterThan(500_000);
    expect(view.secrets.find((secret) => secret.id === 'next')?.pending).toBeUndefined();

    const again = await call(receiver, 'POST', '/integrations/pay/secrets/next/confirm', { token: ADMIN, body: {} });
    expect(again.status).toBe(409);
    expect(apiError.parse(again.body).error.code).toBe('not_pending');
    expect((await call(receiver, 'POST', '/integrations/pay/secrets/nope/confirm', { token: ADMIN, body: {} })).status).toBe(404);
    expect((await call(receiver, 'POST', '/integrations/pay/secrets/next/confirm', { token: READER, body: {} })).status).toBe(403);
  });
});

describe('live streams under load', () => {
  let receiver: TestReceiver;
  const OTHER = newToken();
  beforeAll(async () => {
    receiver = await startAdminNode([{ name: 'other', sha256: sha256(OTHER), scope: 'read' }], { streams: { max: 4, perToken: 3 } });
  });
  afterAll(() => receiver.close());

  async function open(token: string): Promise<{ status: number; body: string; retryAfter: string | null; close: () => void }> {
    const controller = new AbortController();
    const response = await fetch(`${receiver.engine.adminUrl ?? ''}/admin/v1/stream`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
    const body = response.status === 200 ? '' : await response.text();
    return { status: response.status, body, retryAfter: response.headers.get('retry-after'), close: () => controller.abort() };
  }

  it('caps streams per token and in total with 503 and Retry-After, and frees a slot when a client goes', async () => {
    const subscribe = vi.spyOn(receiver.engine.feed, 'subscribe');
    const mine = [await open(READER), await open(READER), await open(READER)];
    expect(mine.map((stream) => stream.status)).toEqual([200, 200, 200]);
    // However many streams are open, the ingress publishes to one subscriber.
    expect(subscribe).toHaveBeenCalledTimes(1);
    const fourth = await open(READER);
    expect(fourth.status).toBe(503);
    expect(Number(fourth.retryAfter)).toBeGreaterThan(0);
    expect(apiError.parse(JSON.parse(fourth.body)).error).toMatchObject({ code: 'too_many_streams', message: expect.stringMatching(/perToken/) });
    const other = await open(OTHER);
    expect(other.status).toBe(200);
    const beyond = await open(ADMIN);
    expect(beyond.status).toBe(503);
    expect(apiError.parse(JSON.parse(beyond.body)).error.message).toMatch(/admin\.streams\.max is 4/);

    mine[0]?.close();
    await vi.waitFor(async () => {
      const again = await open(ADMIN);
      again.close();
      expect(again.status).toBe(200);
    }, { timeout: 10_000, interval: 100 });
    for (const stream of [...mine, other]) stream.close();
    subscribe.mockRestore();
  });
});

describe('a JWS integration', () => {
  it('refuses a JWS without iat by default, and shows its key set in GET /integrations', async () => {
    const signer = await jwsSigner('device-key-1');
    const receiver = await startTestReceiver(
      {
        admin: { listen: '127.0.0.1:0', tokens: [{ name: 'reader', sha256: sha256(READER), scope: 'read' }] },
        integrations: [{ id: 'iot', scheme: 'jws', jws: { jwks: { file: 'jwks.json' }, idHeader: 'x-message-id' } }],
      },
      { files: { 'jwks.json': JSON.stringify(signer.jwks) } },
    );
    try {
      const body = JSON.stringify({ device: 'pump-7', reading: 21.5 });
      const fresh = await receiver.post('/hooks/iot', { body, headers: { 'x-jws-signature': await signer.sign(body, { iat: Math.floor(Date.now() / 1000) }), 'x-message-id': 'm-1' } });
      expect(fresh.status).toBe(202);
      // The same signature without iat is valid JWS, but never fresh: refused, not accepted forever.
      const undated = await receiver.post('/hooks/iot', { body, headers: { 'x-jws-signature': await signer.sign(body), 'x-message-id': 'm-2' } });
      expect(undated.status).toBe(401);
      const unknown = await receiver.post('/hooks/iot', {
        body,
        headers: { 'x-jws-signature': await signer.sign(body, { kid: 'retired-key', iat: Math.floor(Date.now() / 1000) }), 'x-message-id': 'm-3' },
      });
      expect(unknown.status).toBe(401);

      const reasons = await vi.waitFor(() => {
        const rows = receiver.db().prepare('SELECT request_id, reason FROM deliveries').all() as { request_id: string; reason: string | null }[];
        expect(rows).toHaveLength(3);
        return new Map(rows.map((row) => [row.request_id, row.reason]));
      });
      expect(reasons.get(undated.json.requestId ?? '')).toBe('signature_malformed');

      const { integrations } = integrationList.parse((await call(receiver, 'GET', '/integrations', { token: READER })).body);
      expect(integrations[0]?.jws).toMatchObject({
        source: 'file',
        keys: [{ kid: 'device-key-1', alg: 'ES256', kty: 'EC' }],
        lastFetch: { ok: true },
        verifiedByKid: [{ kid: 'device-key-1', count: 1 }],
        unknownKids: [{ kid: 'retired-key', count: 1 }],
      });
    } finally {
      await receiver.close();
    }
  });
});
