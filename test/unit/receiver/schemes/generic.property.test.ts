import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hmacScheme } from '../../../../receiver/schemes/hmac.js';
import type { HmacOptions } from '../../../../receiver/schemes/hmac.js';
import { jwsScheme } from '../../../../receiver/schemes/jws.js';
import type { JwsScheme } from '../../../../receiver/schemes/jws.js';
import type { InboundRequest, SignatureCheck, SignatureScheme, VerificationKey } from '../../../../receiver/schemes/scheme.js';

const REASONS = ['signature_missing', 'signature_malformed', 'signature_invalid'];

const body = fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes));
const b64url = (value: string | Uint8Array): string => Buffer.from(value).toString('base64url');

/** Header values that look more and more like the real thing, so the parsers are exercised past the first check. */
function headerValues(prefixes: string[]): fc.Arbitrary<string | string[]> {
  const jsonish = fc.record(
    {
      alg: fc.oneof(fc.constantFrom('ES256', 'RS256', 'EdDSA', 'none', 'HS256', ''), fc.anything()),
      kid: fc.oneof(fc.constantFrom('es-1', 'rs-1', 'ed-1', ''), fc.anything()),
      b64: fc.anything(),
      crit: fc.oneof(fc.constant(['b64']), fc.anything()),
      iat: fc.oneof(fc.integer(), fc.double(), fc.anything()),
      jti: fc.anything(),
    },
    { requiredKeys: [] },
  );
  const single = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.string({ unit: 'binary', maxLength: 100 }),
    fc.stringMatching(/^[A-Za-z0-9_=.+/-]{0,200}$/),
    fc.tuple(fc.constantFrom(...prefixes), fc.uint8Array({ maxLength: 80 })).map(([p, b]) => p + Buffer.from(b).toString('hex')),
    fc.tuple(fc.constantFrom(...prefixes), fc.uint8Array({ maxLength: 80 })).map(([p, b]) => p + Buffer.from(b).toString('base64')),
    fc.tuple(jsonish, fc.uint8Array({ maxLength: 300 })).map(([h, sig]) => `${b64url(JSON.stringify(h) ?? '')}..${b64url(sig)}`),
    fc.tuple(fc.string(), fc.string(), fc.string()).map(([a, b, c]) => `${a}.${b}.${c}`),
    fc.constant('A'.repeat(9000)),
  );
  return fc.oneof(single, fc.array(single, { maxLength: 3 }));
}

function headers(name: string, extraNames: string[], prefixes: string[]): fc.Arbitrary<IncomingHttpHeaders> {
  const value = headerValues(prefixes);
  return fc.record(
    {
      [name]: value,
      ...Object.fromEntries(extraNames.map((n) => [n, fc.oneof(value, fc.stringMatching(/^[0-9]{0,14}$/))])),
    },
    { requiredKeys: [] },
  ) as fc.Arbitrary<IncomingHttpHeaders>;
}

const request = (hs: IncomingHttpHeaders, bytes: Buffer): InboundRequest => ({ method: 'POST', path: '/hooks/p', query: '', headers: hs, body: bytes });

async function neverVerifies<K>(scheme: SignatureScheme<K>, keys: readonly VerificationKey<K>[], arbitrary: fc.Arbitrary<IncomingHttpHeaders>): Promise<void> {
  await fc.assert(
    fc.asyncProperty(arbitrary, body, async (hs, bytes) => {
      const req = request(hs, bytes);
      const check: SignatureCheck = await scheme.verify(req, keys);
      expect(check.ok).toBe(false);
      if (!check.ok) {
        expect(REASONS).toContain(check.reason);
        expect(typeof check.detail).toBe('string');
      }
      const id = scheme.deliveryId(req);
      expect(id === undefined || typeof id === 'string').toBe(true);
    }),
    { numRuns: 400 },
  );
}

describe('arbitrary requests never throw and never verify', () => {
  const hmacConfigs: HmacOptions[] = [
    { header: 'x-sig', prefix: '', algorithm: 'sha256', encoding: 'hex', signedContent: '{body}' },
    { header: 'x-sig', prefix: 'sha256=', algorithm: 'sha256', encoding: 'base64', signedContent: '{timestamp}.{body}', timestampHeader: 'x-ts' },
    { header: 'x-sig', prefix: 'v1,', algorithm: 'sha512', encoding: 'hex', signedContent: '{id}.{timestamp}.{body}', timestampHeader: 'x-ts', idHeader: 'x-id' },
  ];
  for (const options of hmacConfigs) {
    it(`hmac ${options.algorithm}/${options.encoding} ${options.signedContent}`, async () => {
      const scheme = hmacScheme(options);
      const keys = [
        { secretId: 'a', key: scheme.prepareKey('secret-a') },
        { secretId: 'b', key: scheme.prepareKey('secret-b') },
      ];
      await neverVerifies(scheme, keys, headers('x-sig', ['x-ts', 'x-id'], ['', 'sha256=', 'v1,', 'sha512=']));
    });
  }

  describe('jws', () => {
    let dir: string;
    let scheme: JwsScheme;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'hookwarden-jws-prop-'));
      const keys = [];
      for (const [alg, kid] of [['ES256', 'es-1'], ['RS256', 'rs-1'], ['EdDSA', 'ed-1']] as const) {
        const { publicKey } = await generateKeyPair(alg, alg === 'EdDSA' ? { crv: 'Ed25519' } : {});
        keys.push({ ...(await exportJWK(publicKey)), kid });
      }
      writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys }));
      scheme = jwsScheme({ header: 'x-jws', algorithms: ['ES256', 'RS256', 'EdDSA'], jwks: { file: join(dir, 'jwks.json') }, refreshMinSeconds: 3600 });
    });
    afterAll(() => {
      scheme.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('file JWKS', async () => {
      await neverVerifies(scheme, [], headers('x-jws', ['x-id'], ['']));
    });
  });
});
