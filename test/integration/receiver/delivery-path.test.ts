import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newSecret, sign, sampleBody } from '../../helpers/signers.js';
import { startTestReceiver, tempDir, type TestReceiver } from '../../helpers/test-receiver.js';
import { holdWriteLock } from '../../helpers/write-lock.js';

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
    const release = holdWriteLock(db.name);
    const down = await r.post('/hooks/pay', delivery);
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('5');
    expect((await fetch(`${r.engine.ingressUrl}/readyz`)).status).toBe(503);
    release();
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

/** Flips the last data character of a padded base64 MAC to its neighbour: the bits it changes are padding, the bytes stay the same. */
function respell(base64: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const at = base64.indexOf('=') - 1;
  const respelt = alphabet[alphabet.indexOf(base64[at] as string) ^ 1] as string;
  return `${base64.slice(0, at)}${respelt}${base64.slice(at + 1)}`;
}

describe('replays, floods and faults on the write path', () => {
  let receiver: TestReceiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  it('answers a Shopify MAC re-spelt in non-canonical base64 under a new id as a duplicate', async () => {
    const secret = newSecret('shopify');
    receiver = await startTestReceiver({ integrations: [{ id: 'shop', scheme: 'shopify', secrets: [{ id: 's', value: secret }] }] });
    const original = await sign('shopify', { secret, body: sampleBody('shopify') });
    expect((await receiver.post('/hooks/shop', original)).status).toBe(202);
    const mac = original.headers['x-shopify-hmac-sha256'] as string;
    expect(Buffer.from(respell(mac), 'base64')).toEqual(Buffer.from(mac, 'base64'));
    const replay = await receiver.post('/hooks/shop', { body: original.body, headers: { 'x-shopify-hmac-sha256': respell(mac), 'x-shopify-webhook-id': 'forged-new-id' } });
    expect([replay.status, replay.json.status]).toEqual([200, 'duplicate']);
    expect(await receiver.logged(replay.json.requestId)).toMatchObject({ reason: 'duplicate_signature' });
  });

  it('answers a Twilio MAC re-spelt in non-canonical base64 under a new idempotency token as a duplicate', async () => {
    const secret = newSecret('twilio');
    const publicUrl = 'https://example.test/hooks/sms';
    receiver = await startTestReceiver({ integrations: [{ id: 'sms', scheme: 'twilio', publicUrl, secrets: [{ id: 's', value: secret }] }] });
    const original = await sign('twilio', { secret, body: sampleBody('twilio'), publicUrl });
    expect((await receiver.post('/hooks/sms', original)).status).toBe(202);
    const mac = original.headers['x-twilio-signature'] as string;
    const replay = await receiver.post('/hooks/sms', {
      body: original.body,
      headers: { ...original.headers, 'x-twilio-signature': respell(mac), 'i-twilio-idempotency-token': 'forged-new-token' },
    });
    expect([replay.status, replay.json.status]).toEqual([200, 'duplicate']);
  });

  it('does not let a forgers\' flood spend the integration\'s rate limit: the legitimate sender still gets 202', async () => {
    const secret = newSecret('stripe');
    const stopped = Date.now();
    receiver = await startTestReceiver(
      { integrations: [{ id: 'pay', scheme: 'stripe', secrets: [{ id: 's1', value: secret }], rateLimit: { perSecond: 1, burst: 2 } }] },
      { now: () => stopped },
    );
    const forged = await sign('stripe', { secret: newSecret('stripe'), body: sampleBody('stripe') });
    const flood = await Promise.all(Array.from({ length: 40 }, () => receiver!.post('/hooks/pay', forged)));
    expect(new Set(flood.map((answer) => answer.status))).toEqual(new Set([401]));
    const legitimate = await receiver.post('/hooks/pay', await sign('stripe', { secret, body: sampleBody('stripe') }));
    expect(legitimate.status).toBe(202);
  });

  it('answers a resend that meets a claim still being committed with 503 + Retry-After: 1, then 200 once it is durable', async () => {
    const secret = newSecret('stripe');
    receiver = await startTestReceiver({ integrations: [{ id: 'pay', scheme: 'stripe', secrets: [{ id: 's1', value: secret }] }] });
    const r = receiver;
    const delivery = await sign('stripe', { secret, body: sampleBody('stripe') });
    const release = holdWriteLock(join(r.dir, 'data', 'receiver.db'));
    const first = r.post('/hooks/pay', delivery);
    let resend = await r.post('/hooks/pay', delivery);
    // The first request may not have reached its claim yet: a resend before it is simply the first to claim.
    while (resend.status !== 503) resend = await r.post('/hooks/pay', delivery);
    expect(resend.headers.get('retry-after')).toBe('1');
    release();
    expect((await first).status).toBe(202);
    expect((await r.logged(resend.json.requestId)).reason).toBe('duplicate_pending');
    const after = await r.post('/hooks/pay', delivery);
    expect([after.status, after.json.status]).toEqual([200, 'duplicate']);
  }, 30_000);

  it('keeps at most the first 4 KB of a rejected body, within the integration\'s capture budget per minute', async () => {
    const secret = newSecret('stripe');
    receiver = await startTestReceiver({
      integrations: [{ id: 'pay', scheme: 'stripe', secrets: [{ id: 's1', value: secret }], capture: { rejectedBytesPerMinute: 8192 } }],
    });
    const big = JSON.stringify({ id: 'evt_big', pad: 'x'.repeat(10_000) });
    const forged = await sign('stripe', { secret: newSecret('stripe'), body: big });
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await receiver.post('/hooks/pay', forged));
    for (const answer of answers) await receiver.logged(answer.json.requestId);
    const [first, second, third] = answers.map((answer) => receiver!.capture(answer.json.requestId));
    expect(first?.body).toEqual(Buffer.from(big).subarray(0, 4096));
    expect(second?.body.length).toBe(4096);
    // The budget (8 KB a minute) is spent: the third is logged without a capture.
    expect(third).toBeUndefined();
    expect(await receiver.logged(answers[2]?.json.requestId)).toMatchObject({ reason: 'signature_invalid', body_size: big.length });
    const accepted = await receiver.post('/hooks/pay', await sign('stripe', { secret, body: big }));
    expect(receiver.capture(accepted.json.requestId)?.body.length).toBe(big.length);
  });

  it('seals captures at rest: the body is not in the database file, the raw read returns its exact bytes, named fields are redacted', async () => {
    const secret = newSecret('stripe');
    const dir = tempDir();
    const integrations = [{ id: 'pay', scheme: 'stripe', secrets: [{ id: 's1', value: secret }], capture: { redact: ['/data/customer/email', '/missing/field'] } }];
    receiver = await startTestReceiver({ integrations }, { dir });
    const marker = `needle-${randomBytes(8).toString('hex')}`;
    // The event id is log data (searchable, unsealed); the payload is what must not be readable.
    const body = JSON.stringify({ id: `evt_${randomBytes(4).toString('hex')}`, data: { customer: { email: `${marker}@example.com`, name: marker } } });
    const answer = await receiver.post('/hooks/pay', await sign('stripe', { secret, body }));
    expect(answer.status).toBe(202);
    await receiver.close();
    const files = readdirSync(join(receiver.dir, 'data')).filter((name) => name.startsWith('receiver.db'));
    for (const name of files) expect(readFileSync(join(receiver.dir, 'data', name)).includes(marker)).toBe(false);
    receiver = await startTestReceiver({ integrations }, { dir });
    const raw = receiver.engine.queries.raw(answer.json.requestId ?? '');
    const stored = JSON.parse(Buffer.from(raw?.bodyBase64 ?? '', 'base64').toString('utf8')) as { data: { customer: { email: string; name: string } } };
    expect(stored.data.customer).toEqual({ email: '[redacted]', name: marker });
    await receiver.close();
    receiver = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('purges the oldest captures when storage passes storage.maxBytes, and the metric says so', async () => {
    const secret = newSecret('stripe');
    receiver = await startTestReceiver(
      { admin: { listen: '127.0.0.1:0' }, storage: { path: './data', sync: 'normal', maxBytes: 1_048_576 }, integrations: [{ id: 'pay', scheme: 'stripe', secrets: [{ id: 's1', value: secret }] }] },
      { maintenanceIntervalMs: 200 },
    );
    const r = receiver;
    const [integration] = r.engine.integrations;
    // Dropped deliveries keep their capture but owe nothing downstream: the ceiling may purge them.
    integration!.kill = { mode: 'drop', reason: 'test', since: Date.now(), actor: 'test' };
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      // Captures are deflated before sealing: base64 of random bytes still takes 3/4 of its size, 40 of them over 1 MiB.
      const body = JSON.stringify({ id: `evt_${i}_${randomBytes(4).toString('hex')}`, pad: randomBytes(30_000).toString('base64') });
      ids.push((await r.post('/hooks/pay', await sign('stripe', { secret, body }))).json.requestId ?? '');
    }
    const purged = async () => Number(/hookwarden_storage_ceiling_purged_captures_total\{[^}]*\} (\d+)/.exec(await (await fetch(`${r.engine.adminUrl}/metrics`)).text())?.[1] ?? 0);
    for (let waited = 0; (await purged()) === 0; waited += 50) {
      if (waited > 20_000) throw new Error('the ceiling never purged');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(r.capture(ids[0])).toBeUndefined();
    expect(r.capture(ids.at(-1))).toBeDefined();
    expect(await r.logged(ids[0])).toMatchObject({ outcome: 'dropped' });
  }, 40_000);

  it('keeps health and the admin API answering while a commit is stuck: not ready, and the ingress answers 503 at once', async () => {
    const secret = newSecret('stripe');
    receiver = await startTestReceiver({
      admin: { listen: '127.0.0.1:0' },
      storage: { path: './data', sync: 'normal', commitStallSeconds: 1 },
      integrations: [{ id: 'pay', scheme: 'stripe', secrets: [{ id: 's1', value: secret }] }],
    });
    const r = receiver;
    const release = holdWriteLock(join(r.dir, 'data', 'receiver.db'));
    try {
      const stuck = r.post('/hooks/pay', await sign('stripe', { secret, body: sampleBody('stripe') }));
      // Not ready for the stuck commit, not merely while the dedupe index still loads after the start.
      const readiness = async () => {
        const answer = await fetch(`${r.engine.ingressUrl}/readyz`);
        return { status: answer.status, body: (await answer.json()) as { store?: string } };
      };
      let ready = await readiness();
      while (!/a commit has been running/.test(ready.body.store ?? '')) ready = await readiness();
      expect(ready.status).toBe(503);
      expect((await fetch(`${r.engine.adminUrl}/healthz`)).status).toBe(200);
      expect((await fetch(`${r.engine.adminUrl}/metrics`)).status).toBe(200);
      expect(r.engine.queries.node()).toMatchObject({ ready: false, storage: { ok: false } });
      const refused = await r.post('/hooks/pay', await sign('stripe', { secret, body: sampleBody('stripe') }));
      expect([refused.status, refused.headers.get('retry-after')]).toEqual([503, '5']);
      release();
      expect([202, 503]).toContain((await stuck).status);
    } finally {
      release();
    }
    const after = await r.post('/hooks/pay', await sign('stripe', { secret, body: sampleBody('stripe') }));
    expect(after.status).toBe(202);
  }, 30_000);
});

describe('redrive (node side)', () => {
  let receiver: TestReceiver | undefined;
  let downstream: Server | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
    await new Promise((resolve) => downstream?.close(resolve) ?? resolve(undefined));
  });

  it('re-enqueues each captured accepted delivery once per request, counts only on a dry run, and audits the redrive', async () => {
    const received: string[] = [];
    downstream = createServer((request, response) => {
      received.push(String(request.headers['x-hookwarden-request-id']));
      request.resume().on('end', () => response.writeHead(204).end());
    });
    await new Promise<void>((resolve) => downstream!.listen(0, '127.0.0.1', resolve));
    const port = (downstream.address() as AddressInfo).port;
    const token = randomBytes(24).toString('base64url');
    const secret = newSecret('stripe');
    receiver = await startTestReceiver({
      admin: { listen: '127.0.0.1:0', tokens: [{ name: 'ops', sha256: createHash('sha256').update(token).digest('hex'), scope: 'operate' }] },
      downstream: { type: 'http', url: `http://127.0.0.1:${port}/in` },
      integrations: [{ id: 'pay', scheme: 'stripe', secrets: [{ id: 's1', value: secret }] }],
    });
    const r = receiver;
    const since = new Date(Date.now() - 60_000).toISOString();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await r.post('/hooks/pay', await sign('stripe', { secret, body: sampleBody('stripe') }))).json.requestId ?? '');
    const until = async (done: () => boolean) => {
      for (const started = Date.now(); !done(); await new Promise((resolve) => setTimeout(resolve, 20))) {
        if (Date.now() - started > 15_000) throw new Error('timed out');
      }
    };
    const backlog = () => r.engine.queries.node().downstream?.backlog;
    await until(() => received.length === 3 && backlog() === 0);

    const redrive = async (body: Record<string, unknown>) =>
      fetch(`${r.engine.adminUrl}/admin/v1/deliveries/redrive`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const dry = await redrive({ integration: 'pay', since, dryRun: true });
    expect(await dry.json()).toEqual({ matched: 3, requeued: 0, dryRun: true });
    const real = await redrive({ integration: 'pay', since });
    expect(await real.json()).toEqual({ matched: 3, requeued: 3, dryRun: false });
    await until(() => received.length === 6 && backlog() === 0);
    expect(received.slice(3).sort()).toEqual([...ids].sort());
    expect((await redrive({ integration: 'pay' })).status).toBe(400);
    expect((await redrive({ integration: 'nope', since })).status).toBe(404);
    const audit = r.engine.queries.audit().entries.filter((entry) => entry.action === 'deliveries.redrive');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: 'ops', integrationId: 'pay', details: { matched: 3, requeued: 3 } });
  }, 40_000);
});
