import { describe, expect, it } from 'vitest';
import { githubScheme } from '../../../../receiver/schemes/github.js';
import type { InboundRequest, SignatureScheme } from '../../../../receiver/schemes/scheme.js';
import { shopifyScheme } from '../../../../receiver/schemes/shopify.js';
import { slackScheme } from '../../../../receiver/schemes/slack.js';
import { standardWebhooksScheme } from '../../../../receiver/schemes/standard-webhooks.js';
import { stripeScheme } from '../../../../receiver/schemes/stripe.js';
import { twilioScheme } from '../../../../receiver/schemes/twilio.js';
import { createHmac, createPrivateKey, createPublicKey } from 'node:crypto';

/** The providers' published test vectors (sources in ../shared/SIGNATURES.md), and the edge cases their own test suites pin. */
function request(headers: Record<string, string>, body: string, query = ''): InboundRequest {
  return { method: 'POST', path: '/hooks/x', query, headers, body: Buffer.from(body) };
}

function check<K>(scheme: SignatureScheme<K>, secrets: Record<string, string>, req: InboundRequest) {
  return scheme.verify(req, Object.entries(secrets).map(([secretId, value]) => ({ secretId, key: scheme.prepareKey(value) })));
}

describe('Standard Webhooks (spec and library vectors)', () => {
  const scheme = standardWebhooksScheme();
  /** The key published with the spec's test vector ("sign function works"): public, not a secret. */
  const key = { k: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' };
  const headers = { 'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek', 'webhook-timestamp': '1614265330' };
  const body = '{"test": 2432232314}';
  const v1 = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';

  it('verifies the v1 vector, also under svix-* headers', () => {
    expect(check(scheme, key, request({ ...headers, 'webhook-signature': v1 }, body))).toMatchObject({ ok: true, secretId: 'k', signedAt: 1614265330 });
    const svix = { 'svix-id': headers['webhook-id'], 'svix-timestamp': headers['webhook-timestamp'], 'svix-signature': v1 };
    expect(check(scheme, key, request(svix, body))).toMatchObject({ ok: true });
    expect(scheme.deliveryId(request(svix, body))).toBe('msg_p5jXN8AQM9LWM0D4loKWxJek');
  });

  it('verifies the v1a (Ed25519) vector of the Go library against the whpk_ public key', () => {
    const seed = Buffer.from('VEVTVFNJR05JTkdLRVlET05PVFVTRVRISVNGT1JBTlk=', 'base64');
    // PKCS#8 wrapping of a raw Ed25519 seed, so node:crypto derives the public key the Go library would.
    const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
    const jwk = createPublicKey(createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })).export({ format: 'jwk' });
    const raw = Buffer.from(jwk.x ?? '', 'base64url');
    const signature = 'v1a,tQ9V2XOqn7jL/DQenEFpqIugdBVtiMmER5mhSkXBNwM0mkATuDe6KYYUuxqtaiHeYGb7KaaBRdM5WqyeFiL8Ag==';
    expect(check(scheme, { pk: `whpk_${raw.toString('base64')}` }, request({ ...headers, 'webhook-signature': signature }, body))).toMatchObject({ ok: true, secretId: 'pk' });
  });

  it('skips unknown versions and accepts one valid entry among several', () => {
    const multi = `v2,abcd v1,dawfeoifkpqwoekfpqoekf ${v1} v1a,AAAA`;
    expect(check(scheme, key, request({ ...headers, 'webhook-signature': multi }, body))).toMatchObject({ ok: true });
  });

  it.each([
    ['v1,dawfeoifkpqwoekfpqoekf', 'signature_invalid'],
    ['v1,g0hM', 'signature_invalid'],
    ['v1,', 'signature_malformed'],
    ['v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=', 'signature_invalid'],
    ['v1,not base64!', 'signature_malformed'],
  ])('refuses %s as %s', (signature, reason) => {
    expect(check(scheme, key, request({ ...headers, 'webhook-signature': signature }, body))).toMatchObject({ ok: false, reason });
  });

  it('refuses a timestamp that is not digits, and missing headers', () => {
    expect(check(scheme, key, request({ ...headers, 'webhook-timestamp': 'hello', 'webhook-signature': v1 }, body))).toMatchObject({ reason: 'signature_malformed' });
    expect(check(scheme, key, request({ ...headers, 'webhook-timestamp': '1614265330abc', 'webhook-signature': v1 }, body))).toMatchObject({ reason: 'signature_malformed' });
    expect(check(scheme, key, request({ 'webhook-timestamp': '1614265330', 'webhook-signature': v1 }, body))).toMatchObject({ reason: 'signature_missing' });
  });

  it('refuses unusable secrets without echoing them', () => {
    for (const bad of ['whsec_%%%', 'whsk_AAAA', 'whpk_AAAA', 'whsec_c2hvcnQ=']) {
      expect(() => scheme.prepareKey(bad)).toThrow();
      try {
        scheme.prepareKey(bad);
      } catch (error) {
        expect((error as Error).message).not.toContain(bad);
      }
    }
  });
});

describe('GitHub (docs vector)', () => {
  it('verifies "Hello, World!" with "It\'s a Secret to Everybody"', () => {
    const signature = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    expect(check(githubScheme(), { g: "It's a Secret to Everybody" }, request({ 'x-hub-signature-256': signature }, 'Hello, World!'))).toMatchObject({ ok: true });
    expect(check(githubScheme(), { g: 'x' }, request({ 'x-hub-signature': 'sha1=abc' }, 'Hello, World!'))).toMatchObject({ reason: 'signature_missing' });
  });
});

describe('Slack (docs worked example)', () => {
  it('verifies the slash-command example', () => {
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    const headers = { 'x-slack-request-timestamp': '1531420618', 'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503' };
    expect(check(slackScheme(), { s: '8f742231b10e8888abcd99yyyzzz85a5' }, request(headers, body))).toMatchObject({ ok: true, signedAt: 1531420618 });
    expect(slackScheme().deliveryId(request(headers, body))).toBeUndefined();
    expect(slackScheme().deliveryId(request(headers, '{"event_id":"Ev123"}'))).toBe('Ev123');
  });
});

describe('Stripe (library construction)', () => {
  it('checks only v1 entries, any of several, with the whole whsec_ string as key', () => {
    const secret = 'whsec_abc';
    const mac = createHmac('sha256', secret).update('1700000000.{"id":"evt_1"}').digest('hex');
    const header = `t=1700000000,v0=${'0'.repeat(64)},v1=${'f'.repeat(64)},v1=${mac}`;
    expect(check(stripeScheme(), { s: secret }, request({ 'stripe-signature': header }, '{"id":"evt_1"}'))).toMatchObject({ ok: true, signedAt: 1700000000 });
    expect(stripeScheme().deliveryId(request({}, '{"id":"evt_1"}'))).toBe('evt_1');
    expect(check(stripeScheme(), { s: secret }, request({ 'stripe-signature': 't=1700000000,v0=abc' }, '{}'))).toMatchObject({ reason: 'signature_malformed' });
  });

  it('refuses an API key where the endpoint secret belongs', () => {
    expect(() => stripeScheme().prepareKey('sk_test_123')).toThrow(/API key/);
  });
});

describe('Shopify (documented algorithm)', () => {
  it('verifies base64 HMAC-SHA256 of the body and dedupes on the event id', () => {
    const body = '{"id":1}';
    const signature = createHmac('sha256', 'shpss_x').update(body).digest('base64');
    const headers = { 'x-shopify-hmac-sha256': signature, 'x-shopify-webhook-id': 'w1', 'x-shopify-event-id': 'e1' };
    expect(check(shopifyScheme(), { s: 'shpss_x' }, request(headers, body))).toMatchObject({ ok: true });
    expect(shopifyScheme().deliveryId(request(headers, body))).toBe('e1');
  });
});

describe('Twilio (twilio-php RequestValidatorTest vectors)', () => {
  const form = new URLSearchParams({ CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' }).toString();
  const formHeaders = (signature: string) => ({ 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature });
  const scheme = twilioScheme({ publicUrl: 'https://mycompany.com/myapp.php' });

  it('verifies the form vector', () => {
    expect(check(scheme, { t: '12345' }, request(formHeaders('RSOYDt4T1cUTdK1PDd93/VVr8B8='), form, '?foo=1&bar=2'))).toMatchObject({ ok: true });
  });

  it('verifies repeated parameters, de-duplicated and sorted', () => {
    const body = 'Sid=CA123&SidAccount=AC123&Digits=5678&Digits=1234&Digits=1234';
    expect(check(scheme, { t: '12345' }, request(formHeaders('IK+Dwps556ElfBT0I3Rgjkr1wJU='), body, '?foo=1&bar=2'))).toMatchObject({ ok: true });
  });

  it('accepts the signature computed with the default port', () => {
    expect(check(scheme, { t: '12345' }, request(formHeaders('kvajT1Ptam85bY51eRf/AJRuM3w='), form, '?foo=1&bar=2'))).toMatchObject({ ok: true });
    const http = twilioScheme({ publicUrl: 'http://mycompany.com/myapp.php' });
    expect(check(http, { t: '12345' }, request(formHeaders('0ZXoZLH/DfblKGATFgpif+LLRf4='), form, '?foo=1&bar=2'))).toMatchObject({ ok: true });
  });

  it('verifies the JSON vector with bodySHA256, and refuses a body that does not match it', () => {
    const body = '{"property": "value", "boolean": true}';
    const query = '?foo=1&bar=2&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620';
    const headers = { 'content-type': 'application/json', 'x-twilio-signature': 'a9nBmqA0ju/hNViExpshrM61xv4=' };
    expect(check(scheme, { t: '12345' }, request(headers, body, query))).toMatchObject({ ok: true });
    expect(check(scheme, { t: '12345' }, request(headers, `${body} `, query))).toMatchObject({ ok: false, reason: 'signature_invalid' });
  });
});
