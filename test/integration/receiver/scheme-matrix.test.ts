import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_HMAC_OPTIONS, jwsSigner, newSecret, sampleBody, sign, type Delivery, type JwsSigner, type TestScheme } from '../../helpers/signers.js';
import { startTestReceiver, type Answer, type TestReceiver } from '../../helpers/test-receiver.js';

/**
 * Every scheme through the real HTTP path, signed by the provider's own npm library where there is
 * one (standardwebhooks, svix, stripe, @octokit/webhooks-methods, twilio) and by the documented
 * algorithm otherwise: exactly the status codes and reasons of DESIGN §2.1.
 */
const TIMESTAMPED: readonly TestScheme[] = ['standard-webhooks', 'svix', 'stripe', 'slack', 'hmac'];
const SCHEMES: readonly TestScheme[] = ['standard-webhooks', 'svix', 'stripe', 'github', 'slack', 'shopify', 'twilio', 'hmac'];
const SIGNATURE_HEADER: Record<TestScheme, string> = {
  'standard-webhooks': 'webhook-signature',
  svix: 'svix-signature',
  stripe: 'stripe-signature',
  github: 'x-hub-signature-256',
  slack: 'x-slack-signature',
  shopify: 'x-shopify-hmac-sha256',
  twilio: 'x-twilio-signature',
  hmac: 'x-signature',
};
const PUBLIC_URL = 'https://hooks.example.test/hooks/twilio';

describe.each(SCHEMES)('the %s scheme', (scheme) => {
  let receiver: TestReceiver;
  const current = newSecret(scheme);
  const previous = newSecret(scheme);
  const configScheme = scheme === 'svix' ? 'standard-webhooks' : scheme;

  beforeAll(async () => {
    receiver = await startTestReceiver({
      integrations: [
        {
          id: 'it',
          scheme: configScheme,
          secrets: [
            { id: 'previous', value: previous, expiresAt: new Date(Date.now() + 3_600_000).toISOString() },
            { id: 'current', value: current },
          ],
          ...(scheme === 'twilio' ? { publicUrl: PUBLIC_URL } : {}),
          ...(scheme === 'hmac' ? { hmac: TEST_HMAC_OPTIONS } : {}),
        },
      ],
    });
  });
  afterAll(() => receiver.close());

  const signed = (input: { secret?: string; body?: string; timestamp?: number } = {}) =>
    sign(scheme, { secret: input.secret ?? current, body: input.body ?? sampleBody(scheme), publicUrl: PUBLIC_URL, ...(input.timestamp === undefined ? {} : { timestamp: input.timestamp }) });

  async function expectReason(answer: Answer, status: number, reason: string | null) {
    expect(answer.status).toBe(status);
    // Rejections are answered before their log record commits: wait for the record.
    expect((await receiver.logged(answer.json.requestId)).reason).toBe(reason);
  }

  it('accepts a valid delivery (202) and answers its replay as a duplicate (200)', async () => {
    const delivery = await signed();
    const first = await receiver.post('/hooks/it', delivery);
    await expectReason(first, 202, null);
    const replay = await receiver.post('/hooks/it', delivery);
    expect(replay.json.status).toBe('duplicate');
    expect(replay.status).toBe(200);
  });

  it('accepts both secrets during a rotation overlap and records which one verified', async () => {
    for (const [secret, id] of [[previous, 'previous'], [current, 'current']] as const) {
      const answer = await receiver.post('/hooks/it', await signed({ secret }));
      expect(answer.status).toBe(202);
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(receiver.db().prepare('SELECT secret_id FROM deliveries WHERE request_id = ?').pluck().get(answer.json.requestId)).toBe(id);
    }
  });

  it('refuses a body changed by one byte (401 signature_invalid)', async () => {
    const delivery = await signed();
    const tampered: Delivery = { ...delivery, body: delivery.body.replace(/.$/, (last) => (last === 'x' ? 'y' : 'x')) };
    await expectReason(await receiver.post('/hooks/it', tampered), 401, 'signature_invalid');
  });

  it('refuses a wrong secret (401 signature_invalid)', async () => {
    await expectReason(await receiver.post('/hooks/it', await signed({ secret: newSecret(scheme) })), 401, 'signature_invalid');
  });

  it('refuses a missing signature header (401 signature_missing)', async () => {
    const delivery = await signed();
    const headers = { ...delivery.headers };
    delete headers[SIGNATURE_HEADER[scheme]];
    await expectReason(await receiver.post('/hooks/it', { ...delivery, headers }), 401, 'signature_missing');
  });

  it('refuses malformed and oversized signature headers (401 signature_malformed)', async () => {
    const delivery = await signed();
    for (const value of ['%%%not a signature%%%', `${'v1,'.repeat(2000)}`]) {
      const answer = await receiver.post('/hooks/it', { ...delivery, headers: { ...delivery.headers, [SIGNATURE_HEADER[scheme]]: value } });
      await expectReason(answer, 401, 'signature_malformed');
    }
  });

  it.runIf(TIMESTAMPED.includes(scheme))('refuses timestamps outside the tolerance in both directions (401)', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectReason(await receiver.post('/hooks/it', await signed({ timestamp: now - 301 })), 401, 'timestamp_stale');
    await expectReason(await receiver.post('/hooks/it', await signed({ timestamp: now + 301 })), 401, 'timestamp_future');
  });
});

describe('the jws scheme', () => {
  let receiver: TestReceiver;
  let signer: JwsSigner;
  beforeAll(async () => {
    signer = await jwsSigner('device-key-1');
    receiver = await startTestReceiver(
      { integrations: [{ id: 'iot', scheme: 'jws', jws: { jwks: { file: 'jwks.json' }, idHeader: 'x-message-id' } }] },
      { files: { 'jwks.json': JSON.stringify(signer.jwks) } },
    );
  });
  afterAll(() => receiver.close());

  it('accepts a detached JWS signed by a JWKS key, refuses a tampered body, dedupes a replay', async () => {
    const body = JSON.stringify({ device: 'pump-7', reading: 21.5 });
    const delivery = { body, headers: { 'x-jws-signature': await signer.sign(body, { iat: Math.floor(Date.now() / 1000) }), 'x-message-id': 'm-1' } };
    expect((await receiver.post('/hooks/iot', delivery)).status).toBe(202);
    expect((await receiver.post('/hooks/iot', delivery)).status).toBe(200);
    expect((await receiver.post('/hooks/iot', { ...delivery, body: body.replace('21.5', '99.9') })).status).toBe(401);
    const stale = await signer.sign(body, { iat: Math.floor(Date.now() / 1000) - 3600 });
    expect((await receiver.post('/hooks/iot', { body, headers: { 'x-jws-signature': stale, 'x-message-id': 'm-2' } })).status).toBe(401);
  });
});
