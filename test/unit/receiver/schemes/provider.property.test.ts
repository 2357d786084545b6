import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { githubScheme } from '../../../../receiver/schemes/github.js';
import type { InboundRequest, SignatureScheme } from '../../../../receiver/schemes/scheme.js';
import { shopifyScheme } from '../../../../receiver/schemes/shopify.js';
import { slackScheme } from '../../../../receiver/schemes/slack.js';
import { standardWebhooksScheme } from '../../../../receiver/schemes/standard-webhooks.js';
import { stripeScheme } from '../../../../receiver/schemes/stripe.js';
import { twilioScheme } from '../../../../receiver/schemes/twilio.js';

/** The provider schemes' header parsers against arbitrary input: no throw, and no acceptance without a real signature. */
const schemes: [string, SignatureScheme<unknown>, string, string[], string][] = [
  ['standard-webhooks', standardWebhooksScheme(), 'webhook-signature', ['v1,', 'v1a,', 'v2,', 'v1, '], `whsec_${randomBytes(32).toString('base64')}`],
  ['stripe', stripeScheme(), 'stripe-signature', ['t=1700000000,v1=', 'v1=', 't=,v1=', 't=1,v0='], `whsec_${randomBytes(16).toString('hex')}`],
  ['github', githubScheme(), 'x-hub-signature-256', ['sha256=', 'sha1=', ''], randomBytes(16).toString('hex')],
  ['slack', slackScheme(), 'x-slack-signature', ['v0=', 'v1=', ''], randomBytes(16).toString('hex')],
  ['shopify', shopifyScheme(), 'x-shopify-hmac-sha256', ['', '='], randomBytes(16).toString('hex')],
  ['twilio', twilioScheme({ publicUrl: 'https://example.test/hooks/t' }), 'x-twilio-signature', ['', '='], randomBytes(16).toString('hex')],
];

const value = (prefixes: string[]) =>
  fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.string({ unit: 'binary', maxLength: 100 }),
    fc.tuple(fc.constantFrom(...prefixes), fc.uint8Array({ maxLength: 80 })).map(([prefix, bytes]) => prefix + Buffer.from(bytes).toString('hex')),
    fc.tuple(fc.constantFrom(...prefixes), fc.uint8Array({ maxLength: 80 })).map(([prefix, bytes]) => prefix + Buffer.from(bytes).toString('base64')),
    fc.array(fc.string({ maxLength: 40 }), { maxLength: 4 }).map((parts) => parts.join(',')),
    fc.constant('A'.repeat(9000)),
  );

describe.each(schemes)('the %s parser', (_name, scheme, header, prefixes, secret) => {
  it('never throws and never accepts arbitrary headers and bodies', async () => {
    const keys = [{ secretId: 'k', key: scheme.prepareKey(secret) }];
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.constantFrom(header, 'webhook-id', 'webhook-timestamp', 'x-slack-request-timestamp', 'content-type', 'x-github-delivery', 'svix-signature'),
          fc.oneof(value(prefixes), fc.array(value(prefixes), { maxLength: 3 })),
        ),
        fc.uint8Array({ maxLength: 512 }),
        fc.string({ maxLength: 60 }).map((query) => (query ? `?${query}` : '')),
        async (headers, body, query) => {
          const request: InboundRequest = { method: 'POST', path: '/x', query, headers, body: Buffer.from(body) };
          const verdict = await scheme.verify(request, keys);
          expect(verdict.ok).toBe(false);
          expect(() => scheme.deliveryId(request)).not.toThrow();
        },
      ),
      { numRuns: 300 },
    );
  });
});
