import { createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { hmacScheme } from '../../../../receiver/schemes/hmac.js';
import type { HmacOptions } from '../../../../receiver/schemes/hmac.js';
import type { InboundRequest, SignatureCheck } from '../../../../receiver/schemes/scheme.js';

const SECRET = 'whsec-in-house-örtlich';
const OTHER = 'another-secret';
const BODY = Buffer.from('{"event":"order.paid","amount":4200,"note":"naïve ☕"}\n', 'utf8');
const TS = '1700000000';
const ID = 'evt_123';

function request(headers: IncomingHttpHeaders, body: Buffer = BODY): InboundRequest {
  return { method: 'POST', path: '/hooks/x', query: '', headers, body };
}

/** Independent reference: the signed bytes built by hand from the template, MAC'd with node:crypto. */
function sign(secret: string, algorithm: 'sha256' | 'sha512', encoding: 'hex' | 'base64', pieces: (string | Buffer)[]): string {
  const mac = createHmac(algorithm, Buffer.from(secret, 'utf8'));
  mac.update(Buffer.concat(pieces.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p))));
  return mac.digest(encoding);
}

function keysFor(options: HmacOptions, ...secrets: [string, string][]) {
  const scheme = hmacScheme(options);
  return { scheme, keys: secrets.map(([secretId, value]) => ({ secretId, key: scheme.prepareKey(value) })) };
}

function expectFailure(check: SignatureCheck, reason: string): void {
  expect(check.ok).toBe(false);
  if (!check.ok) {
    expect(check.reason).toBe(reason);
    expect(check.detail).not.toContain(SECRET);
  }
}

const TEMPLATES = [
  { template: '{body}', pieces: (body: Buffer) => [body], timestampHeader: undefined, idHeader: undefined },
  { template: '{timestamp}.{body}', pieces: (body: Buffer) => [TS, '.', body], timestampHeader: 'X-Timestamp', idHeader: undefined },
  { template: '{id}.{timestamp}.{body}', pieces: (body: Buffer) => [ID, '.', TS, '.', body], timestampHeader: 'x-timestamp', idHeader: 'X-Id' },
] as const;

describe('hmacScheme', () => {
  for (const algorithm of ['sha256', 'sha512'] as const) {
    for (const encoding of ['hex', 'base64'] as const) {
      for (const t of TEMPLATES) {
        describe(`${algorithm}/${encoding} ${t.template}`, () => {
          const options: HmacOptions = {
            header: 'X-Signature',
            prefix: `${algorithm}=`,
            algorithm,
            encoding,
            signedContent: t.template,
            ...(t.timestampHeader === undefined ? {} : { timestampHeader: t.timestampHeader }),
            ...(t.idHeader === undefined ? {} : { idHeader: t.idHeader }),
          };
          const { scheme, keys } = keysFor(options, ['s1', SECRET]);
          const extra: IncomingHttpHeaders = {
            ...(t.timestampHeader === undefined ? {} : { 'x-timestamp': TS }),
            ...(t.idHeader === undefined ? {} : { 'x-id': ID }),
          };
          const good = sign(SECRET, algorithm, encoding, [...t.pieces(BODY)]);

          it('accepts a valid signature and reports signedAt / deliveryId', () => {
            const req = request({ 'x-signature': `${algorithm}=${good}`, ...extra });
            const check = scheme.verify(req, keys) as SignatureCheck;
            expect(check).toMatchObject({ ok: true, secretId: 's1', signature: good });
            if (check.ok) expect(check.signedAt).toBe(t.timestampHeader === undefined ? undefined : Number(TS));
            expect(scheme.signsTimestamp).toBe(t.timestampHeader !== undefined);
            expect(scheme.deliveryId(req)).toBe(t.idHeader === undefined ? undefined : ID);
          });

          it('rejects a one-byte tamper of the body', () => {
            const tampered = Buffer.from(BODY);
            tampered[5] = (tampered[5] ?? 0) ^ 0x01;
            expectFailure(scheme.verify(request({ 'x-signature': `${algorithm}=${good}`, ...extra }, tampered), keys) as SignatureCheck, 'signature_invalid');
          });

          it('rejects a signature made with another secret', () => {
            const wrong = sign(OTHER, algorithm, encoding, [...t.pieces(BODY)]);
            expectFailure(scheme.verify(request({ 'x-signature': `${algorithm}=${wrong}`, ...extra }), keys) as SignatureCheck, 'signature_invalid');
          });

          if (t.timestampHeader !== undefined) {
            it('rejects a changed timestamp (it is signed)', () => {
              const req = request({ 'x-signature': `${algorithm}=${good}`, ...extra, 'x-timestamp': '1700000001' });
              expectFailure(scheme.verify(req, keys) as SignatureCheck, 'signature_invalid');
            });
          }
        });
      }
    }
  }

  describe('header handling', () => {
    const options: HmacOptions = {
      header: 'x-signature',
      prefix: 'sha256=',
      algorithm: 'sha256',
      encoding: 'hex',
      signedContent: '{timestamp}.{body}',
      timestampHeader: 'x-timestamp',
      idHeader: 'x-id',
    };
    const { scheme, keys } = keysFor(options, ['old', OTHER], ['new', SECRET]);
    const good = sign(SECRET, 'sha256', 'hex', [TS, '.', BODY]);
    const verify = (headers: IncomingHttpHeaders): SignatureCheck => scheme.verify(request(headers), keys) as SignatureCheck;

    it('reports missing and empty signature headers as signature_missing', () => {
      expectFailure(verify({ 'x-timestamp': TS }), 'signature_missing');
      expectFailure(verify({ 'x-signature': '', 'x-timestamp': TS }), 'signature_missing');
    });

    it('reports a missing timestamp header as signature_missing and a non-digit one as malformed', () => {
      expectFailure(verify({ 'x-signature': `sha256=${good}` }), 'signature_missing');
      for (const ts of ['17e8', '-1', ' 1700000000', '1700000000.5', '0x10', '１７']) {
        expectFailure(verify({ 'x-signature': `sha256=${good}`, 'x-timestamp': ts }), 'signature_malformed');
      }
    });

    it('reports bad hex and a wrong prefix as signature_malformed', () => {
      expectFailure(verify({ 'x-signature': `sha256=${good.slice(0, -1)}z`, 'x-timestamp': TS }), 'signature_malformed');
      expectFailure(verify({ 'x-signature': `sha256=${good}0`, 'x-timestamp': TS }), 'signature_malformed');
      expectFailure(verify({ 'x-signature': `sha1=${good}`, 'x-timestamp': TS }), 'signature_malformed');
      expectFailure(verify({ 'x-signature': good, 'x-timestamp': TS }), 'signature_malformed');
      expectFailure(verify({ 'x-signature': 'sha256=', 'x-timestamp': TS }), 'signature_malformed');
    });

    it('treats a well-formed MAC of the wrong length as signature_invalid', () => {
      expectFailure(verify({ 'x-signature': `sha256=${good.slice(0, 62)}`, 'x-timestamp': TS }), 'signature_invalid');
    });

    it('accepts upper-case hex and reports the canonical lower-case spelling', () => {
      expect(verify({ 'x-signature': `sha256=${good.toUpperCase()}`, 'x-timestamp': TS })).toMatchObject({ ok: true, signature: good });
    });

    it('reports the secret that matched during rotation', () => {
      expect(verify({ 'x-signature': `sha256=${good}`, 'x-timestamp': TS })).toMatchObject({ ok: true, secretId: 'new', signedAt: 1700000000 });
      const old = sign(OTHER, 'sha256', 'hex', [TS, '.', BODY]);
      expect(verify({ 'x-signature': `sha256=${old}`, 'x-timestamp': TS })).toMatchObject({ ok: true, secretId: 'old' });
    });

    it('uses the first occurrence of a repeated header and the id header for deliveryId', () => {
      expect(scheme.deliveryId(request({ 'x-id': 'abc' }))).toBe('abc');
      expect(scheme.deliveryId(request({ 'x-id': '' }))).toBeUndefined();
      expect(scheme.deliveryId(request({}))).toBeUndefined();
    });

    it('never matches with no keys', () => {
      expectFailure(scheme.verify(request({ 'x-signature': `sha256=${good}`, 'x-timestamp': TS }), []) as SignatureCheck, 'signature_invalid');
    });
  });

  describe('base64', () => {
    const { scheme, keys } = keysFor({ header: 'x-sig', prefix: '', algorithm: 'sha512', encoding: 'base64', signedContent: '{body}' }, ['k', SECRET]);
    const good = sign(SECRET, 'sha512', 'base64', [BODY]);

    it('accepts unpadded base64 and rejects non-base64 characters', () => {
      expect(scheme.verify(request({ 'x-sig': good.replace(/=+$/, '') }), keys)).toMatchObject({ ok: true, signature: good });
      expectFailure(scheme.verify(request({ 'x-sig': `${good.slice(0, 10)}*${good.slice(11)}` }), keys) as SignatureCheck, 'signature_malformed');
      // Buffer.from would accept the base64url alphabet too; the scheme insists on the configured one.
      expectFailure(scheme.verify(request({ 'x-sig': `-${good.slice(1)}` }), keys) as SignatureCheck, 'signature_malformed');
    });
  });

  it('signs the body bytes as received, not a decoded string', () => {
    const { scheme, keys } = keysFor({ header: 'x-sig', prefix: '', algorithm: 'sha256', encoding: 'hex', signedContent: '{body}' }, ['k', SECRET]);
    const latin1 = Buffer.from([0x7b, 0xe9, 0xff, 0xfe, 0x00, 0x7d]);
    const sig = sign(SECRET, 'sha256', 'hex', [latin1]);
    expect(scheme.verify(request({ 'x-sig': sig }, latin1), keys)).toMatchObject({ ok: true });
    expect(scheme.verify(request({ 'x-sig': sig }, Buffer.from(latin1.toString('utf8'), 'utf8')), keys)).toMatchObject({ ok: false });
  });

  describe('factory and key errors', () => {
    const base: HmacOptions = { header: 'x-sig', prefix: '', algorithm: 'sha256', encoding: 'hex', signedContent: '{body}' };

    it('throws when the template uses {timestamp} without timestampHeader or {id} without idHeader', () => {
      expect(() => hmacScheme({ ...base, signedContent: '{timestamp}.{body}' })).toThrow(/timestampHeader/);
      expect(() => hmacScheme({ ...base, signedContent: '{id}.{body}' })).toThrow(/idHeader/);
    });

    it('throws on a template without {body}, an unknown placeholder, or an unsigned timestamp header', () => {
      expect(() => hmacScheme({ ...base, signedContent: 'static' })).toThrow(/\{body\}/);
      expect(() => hmacScheme({ ...base, signedContent: '{timestmap}.{body}', timestampHeader: 't' })).toThrow(/unknown placeholder/);
      expect(() => hmacScheme({ ...base, timestampHeader: 'x-ts' })).toThrow(/not be signed/);
    });

    it('keeps literal text around placeholders', () => {
      const scheme = hmacScheme({ ...base, signedContent: 'v1:{timestamp}:{body}', timestampHeader: 'x-ts' });
      const keys = [{ secretId: 'k', key: scheme.prepareKey(SECRET) }];
      const sig = sign(SECRET, 'sha256', 'hex', ['v1:', TS, ':', BODY]);
      expect(scheme.verify(request({ 'x-sig': sig, 'x-ts': TS }), keys)).toMatchObject({ ok: true, signedAt: Number(TS) });
    });

    it('prepareKey refuses an empty secret without echoing anything', () => {
      const scheme = hmacScheme(base);
      expect(() => scheme.prepareKey('')).toThrow(/empty/);
    });
  });
});
