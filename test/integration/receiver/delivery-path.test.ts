import Database from 'better-sqlite3';
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { newSecret, sign, sampleBody } from '../../helpers/signers.js';
import { startTestReceiver, type TestReceiver } from '../../helpers/test-receiver.js';

/** The path of one delivery (DESIGN §2.1) through a real HTTP listener and a real SQLite file. */
describe('the path of a delivery', () => {
  let receiver: TestReceiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  const stripe = (extra: Record<string, unknown> = {}) => ({ id: 'pay', scheme: 'stripe', secrets: [{ id: 's1', value: SECRET }], ...extra });
  const SECRET = newSecret('stripe');

  async function start(integrations: Record<string, unknown>[], extra: Record<string, unknown> = {}) {
    receiver = await startTestReceiver({ integrations, ...extra });
    return receiver;
  }

  function logOf(r: TestReceiver, requestId: string) {
    return r.db().prepare('SELECT * FROM deliveries WHERE request_id = ?').get(requestId) as Record<string, unknown> | undefined;
  }

  it('accepts a valid delivery with 202 only once it is in the store, and its replay is a 200 duplicate', async () => {
    const r = await start([stripe()]);
    const delivery = await sign('stripe', { secret: SECRET, body: sampleBody('stripe') });
    const first = await r.post('/hooks/pay', delivery);
    expect(first.status).toBe(202);
    expect(first.json.status).toBe('accepted');
    const row = logOf(r, first.json.requestId ?? '');
    expect(row).toMatchObject({ outcome: 'accepted', secret_id: 's1', integration_id: 'pay', outbox: 1 });
    expect(r.capture(first.json.requestId)?.body).toEqual(Buffer.from(delivery.body));

    const again = await r.post('/hooks/pay', delivery);
    expect(again.status).toBe(200);
    expect(again.json.status).toBe('duplicate');
  });

  it('answers a redelivery of the same event with a new signature as a duplicate of its id', async () => {
    const r = await start([stripe()]);
    const body = sampleBody('stripe');
    expect((await r.post('/hooks/pay', await sign('stripe', { secret: SECRET, body }))).status).toBe(202);
    const retry = await r.post('/hooks/pay', await sign('stripe', { secret: SECRET, body, timestamp: Math.floor(Date.now() / 1000) - 5 }));
    expect(retry.status).toBe(200);
    expect(await r.logged(retry.json.requestId)).toMatchObject({ outcome: 'duplicate', reason: 'duplicate_id' });
  });

  it('routes unknown paths to 404 and other methods to 405, and records both', async () => {
    const r = await start([stripe()]);
    const missing = await r.post('/hooks/nope', { headers: {}, body: '{}' });
    expect(missing.status).toBe(404);
    const get = await fetch(`${r.engine.ingressUrl}/hooks/pay`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(await r.logged(missing.json.requestId)).toMatchObject({ reason: 'not_found' });
    await r.logged(JSON.parse(await get.text()).requestId as string);
    const reasons = r.db().prepare('SELECT reason FROM deliveries ORDER BY seq').pluck().all();
    expect(reasons).toEqual(['not_found', 'method_not_allowed']);
  });

  it('rejects with 503 and Retry-After while the kill switch is in reject mode, storing nothing', async () => {
    const r = await start([stripe()]);
    const [integration] = r.engine.integrations;
    integration!.kill = { mode: 'reject', reason: 'incident 42', since: Date.now(), actor: 'test' };
    const answer = await r.post('/hooks/pay', await sign('stripe', { secret: SECRET, body: sampleBody('stripe') }));
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('60');
    expect(await r.logged(answer.json.requestId)).toMatchObject({ reason: 'killed', outbox: null });
  });

  it('holds verified deliveries in hold mode and records dropped ones in drop mode, answering 202 to both', async () => {
    const r = await start([stripe()]);
    const [integration] = r.engine.integrations;
    integration!.kill = { mode: 'hold', reason: 'downstream migration', since: Date.now(), actor: 'test' };
    const held = await r.post('/hooks/pay', await sign('stripe', { secret: SECRET, body: sampleBody('stripe') }));
    expect([held.status, held.json.status]).toEqual([202, 'held']);
    expect(logOf(r, held.json.requestId ?? '')).toMatchObject({ outcome: 'held', outbox: 2 });

    integration!.kill = { mode: 'drop', reason: 'spam burst', since: Date.now(), actor: 'test' };
    const dropped = await r.post('/hooks/pay', await sign('stripe', { secret: SECRET, body: sampleBody('stripe') }));
    expect([dropped.status, dropped.json.status]).toEqual([202, 'dropped']);
    expect(logOf(r, dropped.json.requestId ?? '')).toMatchObject({ outcome: 'dropped', reason: 'killed', outbox: null });

    const unsigned = await r.post('/hooks/pay', { headers: {}, body: '{}' });
    expect(unsigned.status).toBe(401);
  });

  it('refuses sources outside the allowlist with 403, honouring X-Forwarded-For only from trusted proxies', async () => {
    const r = await start([stripe({ allowIps: ['203.0.113.0/24'] })], { ingress: { listen: '127.0.0.1:0', trustedProxies: ['127.0.0.1/32'] } });
    const delivery = await sign('stripe', { secret: SECRET, body: sampleBody('stripe') });
    expect((await r.post('/hooks/pay', delivery)).status).toBe(403);
    const viaProxy = await r.post('/hooks/pay', delivery, { 'x-forwarded-for': '198.51.100.7, 203.0.113.9' });
    expect(viaProxy.status).toBe(202);
    expect(logOf(r, viaProxy.json.requestId ?? '')).toMatchObject({ source_ip: '203.0.113.9' });
  });

  it('does not trust X-Forwarded-For from an untrusted peer', async () => {
    const r = await start([stripe({ allowIps: ['203.0.113.0/24'] })]);
    const delivery = await sign('stripe', { secret: SECRET, body: sampleBody('stripe') });
    expect((await r.post('/hooks/pay', delivery, { 'x-forwarded-for': '203.0.113.9' })).status).toBe(403);
  });

  it('rate-limits per integration with 429 and Retry-After', async () => {
    // A stopped clock: the bucket must not refill between requests however slow the machine is.
    const stopped = Date.now();
    receiver = await startTestReceiver({ integrations: [stripe({ rateLimit: { perSecond: 1, burst: 2 } })] }, { now: () => stopped });
    const r = receiver;
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 3; i++) {
      const answer = await r.post('/hooks/pay', await sign('stripe', { secret: SECRET, body: sampleBody('stripe') }));
      statuses.push(answer.status);
      retryAfter = answer.headers.get('retry-after') ?? retryAfter;
    }
    expect(statuses).toEqual([202, 202, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  });

  it('refuses a body over the limit with 413, declared or streamed', async () => {
    const r = await start([stripe({ maxBodyBytes: 1024 })]);
    const big = JSON.stringify({ id: 'evt_big', pad: 'x'.repeat(2000) });
    expect((await r.post('/hooks/pay', await sign('stripe', { secret: SECRET, body: big }))).status).toBe(413);
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const chunked = await fetch(`${r.engine.ingressUrl}/hooks/pay`, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(413);
  });

  it('names signature failures: missing, malformed, invalid, retired secret', async () => {
    const old = newSecret('stripe');
    const r = await start([
      stripe({
        secrets: [
          { id: 'old', value: old, expiresAt: new Date(Date.now() - 1000).toISOString() },
          { id: 'new', value: SECRET },
        ],
      }),
    ]);
    const body = sampleBody('stripe');
    const cases: [Record<string, string>, string][] = [
      [{}, 'signature_missing'],
      [{ 'stripe-signature': 'garbage' }, 'signature_malformed'],
      [(await sign('stripe', { secret: newSecret('stripe'), body })).headers, 'signature_invalid'],
      [(await sign('stripe', { secret: old, body })).headers, 'signature_retired_secret'],
    ];
    for (const [headers, reason] of cases) {
      const answer = await r.post('/hooks/pay', { headers, body });
      expect(answer.status).toBe(401);
      expect(answer.json).not.toHaveProperty('reason');
      expect((await r.logged(answer.json.requestId)).reason).toBe(reason);
    }
  });

  it('rejects stale and future timestamps with 401 and records the skew', async () => {
    const r = await start([stripe({ toleranceSeconds: 300 })]);
    const now = Math.floor(Date.now() / 1000);
    const stale = await r.post('/hooks/pay', await sign('stripe', { secret: SECRET, body: sampleBody('stripe'), timestamp: now - 301 }));
    const future = await r.post('/hooks/pay', await sign('stripe', { secret: SECRET, body: sampleBody('stripe'), timestamp: now + 302 }));
    expect([stale.status, future.status]).toEqual([401, 401]);
    expect(await r.logged(stale.json.requestId)).toMatchObject({ reason: 'timestamp_stale' });
    await r.logged(future.json.requestId);
    expect(Number(logOf(r, stale.json.requestId ?? '')?.skew_ms)).toBeGreaterThan(300_000);
    expect(logOf(r, future.json.requestId ?? '')).toMatchObject({ reason: 'timestamp_future' });
  });

  it('checks the JSON Schema after dedupe with 422, and a corrected resend is accepted', async () => {
    const schema = JSON.stringify({ type: 'object', required: ['id', 'type'], properties: { type: { type: 'string' } } });
    receiver = await startTestReceiver({ integrations: [stripe({ schema: 'event.schema.json' })] }, { files: { 'event.schema.json': schema } });
    const bad = await receiver.post('/hooks/pay', await sign('stripe', { secret: SECRET, body: JSON.stringify({ id: 'evt_1', type: 7 }) }));
    expect(bad.status).toBe(422);
    const fixed = await receiver.post('/hooks/pay', await sign('stripe', { secret: SECRET, body: JSON.stringify({ id: 'evt_1', type: 'x' }) }));
    expect(fixed.status).toBe(202);
  });

  it('redacts signature and credential headers in the log but keeps the signature in the capture', async () => {
    const r = await start([stripe()]);
    const answer = await r.post('/hooks/pay', await sign('stripe', { secret: SECRET, body: sampleBody('stripe') }), { authorization: 'Bearer t0k3n' });
    const headers = JSON.parse(String(logOf(r, answer.json.requestId ?? '')?.headers)) as Record<string, string>;
    expect(headers['stripe-signature']).toBe('[redacted]');
    expect(headers.authorization).toBe('[redacted]');
    const captured = r.capture(answer.json.requestId)?.headers ?? {};
    expect(captured['stripe-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(captured.authorization).toBe('[redacted]');
  });

  it('answers 503 and accepts nothing when the store is down, and the retry is accepted once it is back', async () => {
    const r = await start([stripe()]);
    const delivery = await sign('stripe', { secret: SECRET, body: sampleBody('stripe') });
    const db = r.db();
    // A second connection holding the write lock makes every group commit fail with SQLITE_BUSY: the store is unavailable.
    const locker = new Database(db.name);
    locker.pragma('busy_timeout = 0');
    locker.exec('BEGIN IMMEDIATE');
    const down = await r.post('/hooks/pay', delivery);
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('5');
    expect((await fetch(`${r.engine.ingressUrl}/readyz`)).status).toBe(503);
    locker.exec('ROLLBACK');
    locker.close();
    const retry = await r.post('/hooks/pay', delivery);
    expect(retry.status).toBe(202);
    expect((await fetch(`${r.engine.ingressUrl}/readyz`)).status).toBe(200);
  }, 20_000);
});

describe('diagnosis of signature failures', () => {
  let receiver: TestReceiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  async function reasonOf(r: TestReceiver, requestId: string) {
    const { reason, diagnosis, detail } = await r.logged(requestId);
    return { reason, diagnosis, detail };
  }

  it('names a configured secret with stray whitespace', async () => {
    const secret = newSecret('github');
    receiver = await startTestReceiver({ integrations: [{ id: 'gh', scheme: 'github', secrets: [{ id: 'g', value: `${secret} ` }] }] });
    const answer = await receiver.post('/hooks/gh', await sign('github', { secret, body: '{"a":1}' }));
    expect(answer.status).toBe(401);
    expect(await reasonOf(receiver, answer.json.requestId ?? '')).toMatchObject({ reason: 'signature_invalid', diagnosis: 'secret_whitespace' });
  });

  it('names a body that gained a trailing newline, one that was re-serialised, and another integration\'s secret', async () => {
    const secret = newSecret('github');
    const other = newSecret('github');
    receiver = await startTestReceiver({
      integrations: [
        { id: 'gh', scheme: 'github', secrets: [{ id: 'g', value: secret }] },
        { id: 'gh-other', scheme: 'github', secrets: [{ id: 'o', value: other }] },
      ],
    });
    const signed = await sign('github', { secret, body: '{"a":1,"b":[1,2]}' });
    const newline = await receiver.post('/hooks/gh', { ...signed, body: `${signed.body}\n` });
    expect(await reasonOf(receiver, newline.json.requestId ?? '')).toMatchObject({ diagnosis: 'body_trailing_newline' });
    const pretty = await receiver.post('/hooks/gh', { ...signed, body: JSON.stringify(JSON.parse(signed.body), null, 2) });
    expect(await reasonOf(receiver, pretty.json.requestId ?? '')).toMatchObject({ diagnosis: 'body_reserialized_json' });
    const crossed = await receiver.post('/hooks/gh', await sign('github', { secret: other, body: '{"c":3}' }));
    expect(await reasonOf(receiver, crossed.json.requestId ?? '')).toMatchObject({ diagnosis: 'other_integration_secret', detail: 'signed with the secret of integration "gh-other"' });
  });

  it('keeps the diagnosis work bounded: a flood of bad signatures is diagnosed only a few times a second', async () => {
    const secret = newSecret('github');
    receiver = await startTestReceiver({ integrations: [{ id: 'gh', scheme: 'github', secrets: [{ id: 'g', value: `${secret} ` }] }] });
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const body = `{"n":${i}}`;
      const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
      ids.push((await receiver.post('/hooks/gh', { headers: { 'x-hub-signature-256': signature }, body })).json.requestId ?? '');
    }
    for (const id of ids) await receiver.logged(id);
    const diagnosed = receiver.db().prepare("SELECT count(*) FROM deliveries WHERE diagnosis IS NOT NULL").pluck().get() as number;
    expect(diagnosed).toBeGreaterThan(0);
    expect(diagnosed).toBeLessThan(30);
  });
});
