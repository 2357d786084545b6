import { createHmac, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { TEST_HMAC_OPTIONS, jwsSigner, newSecret, sampleBody, sign, type Delivery, type TestScheme } from '../../helpers/signers.js';
import { rawRequest } from '../harness/raw-http.js';
import { ADMIN_TOKEN, ReceiverNode, stopAll } from '../harness/receiver-node.js';
import type { ReliabilityRow } from '../harness/reliability-row.js';
import { FORGERIES, forge, respell, type SignatureLayout } from '../harness/signature-mutations.js';

const TWILIO_URL = 'https://example.test/hooks/twilio';

interface SchemeUnderTest {
  readonly integration: string;
  readonly header: string;
  /** An id header the signature does not cover: a replayer can set it to anything. */
  readonly freeIdHeader?: string;
  readonly fresh: () => Promise<Delivery>;
  readonly layout: (value: string) => SignatureLayout;
}

const base64 = (prefix: string, wrongPrefix: string) => (value: string): SignatureLayout => ({
  prefix,
  mac: value.slice(prefix.length),
  suffix: '',
  encoding: 'base64',
  wrongPrefix,
});
const hex = (prefix: string, wrongPrefix: string) => (value: string): SignatureLayout => ({ prefix, mac: value.slice(prefix.length), suffix: '', encoding: 'hex', wrongPrefix });

/**
 * Every scheme's valid delivery mutated the ways forgers and broken proxies mutate signatures,
 * each on a fresh delivery so that only verification stands between it and a 202; then each
 * accepted delivery again with its MAC re-spelled (same bytes) under a new unsigned id.
 * JWS also gets algorithm confusion: `none`, and HS256 keyed with the public key.
 */
export async function forgeryCorpus(): Promise<ReliabilityRow> {
  const secrets = Object.fromEntries((['standard-webhooks', 'stripe', 'github', 'slack', 'shopify', 'twilio', 'hmac'] as const).map((scheme) => [scheme, newSecret(scheme)]));
  const jws = await jwsSigner('k1');
  const node = new ReceiverNode({
    node: { id: 'forgery' },
    storage: { path: './data', sync: 'normal' },
    integrations: [
      { id: 'standard-webhooks', scheme: 'standard-webhooks', secrets: [{ id: 's1', value: secrets['standard-webhooks'] }] },
      { id: 'svix', scheme: 'standard-webhooks', secrets: [{ id: 's1', value: secrets['standard-webhooks'] }] },
      { id: 'stripe', scheme: 'stripe', secrets: [{ id: 's1', value: secrets.stripe }] },
      { id: 'github', scheme: 'github', secrets: [{ id: 's1', value: secrets.github }] },
      { id: 'slack', scheme: 'slack', secrets: [{ id: 's1', value: secrets.slack }] },
      { id: 'shopify', scheme: 'shopify', secrets: [{ id: 's1', value: secrets.shopify }] },
      { id: 'twilio', scheme: 'twilio', publicUrl: TWILIO_URL, secrets: [{ id: 's1', value: secrets.twilio }] },
      { id: 'hmac', scheme: 'hmac', hmac: TEST_HMAC_OPTIONS, secrets: [{ id: 's1', value: secrets.hmac }] },
      { id: 'jws', scheme: 'jws', jws: { jwks: { file: 'jwks.json' }, idHeader: 'x-message-id' } },
    ],
  });
  writeFileSync(join(node.dir, 'jwks.json'), JSON.stringify(jws.jwks));

  const signed = (scheme: TestScheme) => () =>
    sign(scheme, { secret: secrets[scheme === 'svix' ? 'standard-webhooks' : scheme]!, body: sampleBody(scheme), publicUrl: TWILIO_URL });
  const jwsDelivery = async (): Promise<Delivery> => {
    const body = sampleBody('hmac');
    return { body, headers: { 'x-jws-signature': await jws.sign(body, { iat: Math.floor(Date.now() / 1000) }), 'x-message-id': `m-${randomBytes(6).toString('hex')}` } };
  };
  const schemes: SchemeUnderTest[] = [
    { integration: 'standard-webhooks', header: 'webhook-signature', fresh: signed('standard-webhooks'), layout: base64('v1,', 'v2,') },
    { integration: 'svix', header: 'svix-signature', fresh: signed('svix'), layout: base64('v1,', 'v1a,') },
    {
      integration: 'stripe',
      header: 'stripe-signature',
      fresh: signed('stripe'),
      layout: (value) => {
        const at = value.indexOf('v1=') + 3;
        return { prefix: value.slice(0, at), mac: value.slice(at), suffix: '', encoding: 'hex', wrongPrefix: `${value.slice(0, at - 3)}v0=` };
      },
    },
    { integration: 'github', header: 'x-hub-signature-256', freeIdHeader: 'x-github-delivery', fresh: signed('github'), layout: hex('sha256=', 'sha1=') },
    { integration: 'slack', header: 'x-slack-signature', fresh: signed('slack'), layout: hex('v0=', 'v1=') },
    { integration: 'shopify', header: 'x-shopify-hmac-sha256', freeIdHeader: 'x-shopify-webhook-id', fresh: signed('shopify'), layout: base64('', 'sha256=') },
    { integration: 'twilio', header: 'x-twilio-signature', freeIdHeader: 'i-twilio-idempotency-token', fresh: signed('twilio'), layout: base64('', 'sha1=') },
    { integration: 'hmac', header: 'x-signature', fresh: signed('hmac'), layout: hex('sha256=', 'sha512=') },
    {
      integration: 'jws',
      header: 'x-jws-signature',
      freeIdHeader: 'x-message-id',
      fresh: jwsDelivery,
      layout: (value) => {
        const at = value.indexOf('..') + 2;
        // An attached payload where the scheme wants a detached one.
        return { prefix: value.slice(0, at), mac: value.slice(at), suffix: '', encoding: 'base64url', wrongPrefix: `${value.slice(0, at - 1)}e30.` };
      },
    },
  ];

  const violations: string[] = [];
  let sent = 0;
  let acknowledged = 0;
  let rejected = 0;
  let acceptedTwice = 0;
  let lost = 0;
  try {
    await node.start();
    const port = Number(new URL(node.ingressUrl).port);
    const send = async (integration: string, delivery: Delivery): Promise<{ status: number; requestId: string | undefined }> => {
      sent++;
      const path = `/hooks/${integration}${delivery.query ?? ''}`;
      const answer = await rawRequest(port, { path, headers: { 'content-type': 'application/json', ...delivery.headers }, body: delivery.body });
      if (answer.status === 202 || answer.status === 200) acknowledged++;
      else rejected++;
      const json = /\{.*\}\s*$/s.exec(answer.text)?.[0];
      return { status: answer.status, requestId: json ? (JSON.parse(json) as { requestId?: string }).requestId : undefined };
    };
    const withSignature = (delivery: Delivery, header: string, value: string): Delivery => ({ ...delivery, headers: { ...delivery.headers, [header]: value } });

    for (const scheme of schemes) {
      for (const forgery of FORGERIES) {
        const delivery = await scheme.fresh();
        const answer = await send(scheme.integration, withSignature(delivery, scheme.header, forge(scheme.layout(delivery.headers[scheme.header]!), forgery)));
        if (answer.status < 400) violations.push(`${scheme.integration}: ${forgery} answered ${answer.status}`);
      }
      const original = await scheme.fresh();
      const first = await send(scheme.integration, original);
      if (first.status !== 202) {
        violations.push(`${scheme.integration}: the valid delivery answered ${first.status}`);
        continue;
      }
      if (!(await storedAsAccepted(node.adminUrl, first.requestId))) lost++;
      const respelled = withSignature(original, scheme.header, respell(scheme.layout(original.headers[scheme.header]!)));
      const again = await send(scheme.integration, scheme.freeIdHeader ? withSignature(respelled, scheme.freeIdHeader, `re-${randomBytes(6).toString('hex')}`) : respelled);
      if (again.status === 202) {
        acceptedTwice++;
        violations.push(`${scheme.integration}: the re-spelled MAC under a new id was accepted again`);
      }
    }

    for (const [name, value] of await jwsConfusions(jws.jwks.keys[0] as Record<string, unknown>)) {
      const delivery = await jwsDelivery();
      const answer = await send('jws', withSignature(delivery, 'x-jws-signature', value(delivery.body)));
      if (answer.status < 400) violations.push(`jws: ${name} answered ${answer.status}`);
    }
    if (!node.running) violations.push('the receiver process died');
    return {
      name: `forgery corpus, ${schemes.length} schemes`,
      sent,
      acknowledged,
      rejected,
      lost,
      acceptedTwice,
      peakRssMib: node.peakRssMib(),
      violations,
      note: `${schemes.length * FORGERIES.length + 3} forgeries (${FORGERIES.join(", ")}; JWS alg none, HS256 keyed with the public key), ${schemes.length} valid deliveries, ${schemes.length} re-spelled replays`,
    };
  } finally {
    await stopAll([node]);
  }
}

async function storedAsAccepted(adminUrl: string, requestId: string | undefined): Promise<boolean> {
  if (!requestId) return false;
  const response = await fetch(`${adminUrl}/admin/v1/deliveries/${encodeURIComponent(requestId)}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  return response.ok && ((await response.json()) as { outcome?: string }).outcome === 'accepted';
}

/** Algorithm confusion: an unsigned token, and HMAC keyed with what the sender publishes (its public key). */
async function jwsConfusions(publicJwk: Record<string, unknown>): Promise<[string, (body: string) => string][]> {
  const b64url = (text: string | Buffer): string => Buffer.from(text).toString('base64url');
  const pem = createPublicKey({ key: publicJwk as JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
  const hs256 = (key: string) => (body: string): string => {
    const protectedHeader = b64url(JSON.stringify({ alg: 'HS256', kid: 'k1', iat: Math.floor(Date.now() / 1000) }));
    return `${protectedHeader}..${createHmac('sha256', key).update(`${protectedHeader}.${b64url(body)}`).digest('base64url')}`;
  };
  return [
    ['alg none', () => `${b64url(JSON.stringify({ alg: 'none', kid: 'k1', iat: Math.floor(Date.now() / 1000) }))}..`],
    ['HS256 keyed with the public key (PEM)', hs256(pem)],
    ['HS256 keyed with the public key (JWK)', hs256(JSON.stringify(publicJwk))],
  ];
}
