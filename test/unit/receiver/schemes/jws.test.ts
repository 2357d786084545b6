import { generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint, CompactSign, exportJWK, FlattenedSign, generateKeyPair } from 'jose';
import type { CryptoKey, JWK, JWSHeaderParameters } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { jwsScheme } from '../../../../receiver/schemes/jws.js';
import type { JwsAlgorithm, JwsOptions, JwsScheme } from '../../../../receiver/schemes/jws.js';
import type { InboundRequest, SignatureCheck } from '../../../../receiver/schemes/scheme.js';

const HEADER = 'x-jws-signature';
const BODY = Buffer.from('{"type":"invoice.created","id":"in_1","amount":1200}', 'utf8');
const ALGS: JwsAlgorithm[] = ['ES256', 'RS256', 'EdDSA'];

interface Signer {
  readonly alg: JwsAlgorithm;
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
}

async function signer(alg: JwsAlgorithm, kid: string): Promise<Signer> {
  const { privateKey, publicKey } = await generateKeyPair(alg, alg === 'EdDSA' ? { crv: 'Ed25519' } : {});
  return { alg, kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid } };
}

/** RFC 7515 appendix F: compact serialization with the payload part emptied. */
async function detached(s: Signer, body: Buffer, extra: JWSHeaderParameters = {}): Promise<string> {
  const jws = await new CompactSign(body).setProtectedHeader({ alg: s.alg, kid: s.kid, ...extra }).sign(s.privateKey);
  const [protectedB64, , signature] = jws.split('.');
  return `${protectedB64}..${signature}`;
}

/** RFC 7797 unencoded payload: the raw body bytes are signed. */
async function unencoded(s: Signer, body: Buffer, extra: JWSHeaderParameters = {}): Promise<string> {
  const jws = await new FlattenedSign(body).setProtectedHeader({ alg: s.alg, kid: s.kid, b64: false, crit: ['b64'], ...extra }).sign(s.privateKey);
  return `${jws.protected}..${jws.signature}`;
}

function b64url(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8').toString('base64url');
}

function request(headers: IncomingHttpHeaders, body: Buffer = BODY): InboundRequest {
  return { method: 'POST', path: '/hooks/jws', query: '', headers, body };
}

function withSig(value: string, body: Buffer = BODY, extra: IncomingHttpHeaders = {}): InboundRequest {
  return request({ [HEADER]: value, ...extra }, body);
}

async function verify(scheme: JwsScheme, req: InboundRequest): Promise<SignatureCheck> {
  return scheme.verify(req, []);
}

async function expectFailure(scheme: JwsScheme, req: InboundRequest, reason: string): Promise<string> {
  const check = await verify(scheme, req);
  expect(check.ok, JSON.stringify(check)).toBe(false);
  if (check.ok) return '';
  expect(check.reason).toBe(reason);
  return check.detail;
}

let dir: string;
let signers: Record<JwsAlgorithm, Signer>;
let rotated: Signer;
let jwksFile: string;

// JWKS server: serves `served`, counts requests, can be made to fail or to answer slowly.
let server: Server;
let jwksUrl: string;
let served: { keys: JWK[] };
let requests = 0;
let failing = false;
let delayMs = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hookwarden-jws-'));
  signers = {
    ES256: await signer('ES256', 'es-1'),
    RS256: await signer('RS256', 'rs-1'),
    EdDSA: await signer('EdDSA', 'ed-1'),
  };
  rotated = await signer('ES256', 'es-2');
  jwksFile = join(dir, 'jwks.json');
  writeFileSync(jwksFile, JSON.stringify({ keys: ALGS.map((a) => signers[a].jwk) }));

  server = createServer((_req, res) => {
    requests += 1;
    setTimeout(() => {
      if (failing) {
        res.writeHead(500).end('boom');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(served));
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  served = { keys: ALGS.map((a) => signers[a].jwk) };
  requests = 0;
  failing = false;
  delayMs = 0;
});

// Most cases here are about keys and encodings, not freshness: `iat` is required only where a test says so.
const fileOptions = (): JwsOptions => ({ header: HEADER, algorithms: [...ALGS], jwks: { file: jwksFile }, refreshMinSeconds: 60, requireIat: false });

describe('jwsScheme with a JWKS file', () => {
  for (const alg of ALGS) {
    describe(alg, () => {
      it('accepts a detached compact JWS and reports the kid, iat and jti', async () => {
        const scheme = jwsScheme(fileOptions());
        const value = await detached(signers[alg], BODY, { iat: 1_700_000_000, jti: 'evt-42' });
        const check = await verify(scheme, withSig(value));
        expect(check).toMatchObject({ ok: true, secretId: signers[alg].kid, signedAt: 1_700_000_000, signature: value.split('..')[1] });
        expect(scheme.deliveryId(withSig(value))).toBe('evt-42');
      });

      it('accepts an unencoded (b64:false) payload over the raw bytes', async () => {
        const scheme = jwsScheme(fileOptions());
        const body = Buffer.from([0x00, 0xff, 0x2e, 0x7b, 0xe9]);
        const check = await verify(scheme, withSig(await unencoded(signers[alg], body), body));
        expect(check).toMatchObject({ ok: true, secretId: signers[alg].kid });
        if (check.ok) expect(check.signedAt).toBeUndefined();
      });

      it('rejects a one-byte tamper of the body, encoded or not', async () => {
        const scheme = jwsScheme(fileOptions());
        const tampered = Buffer.from(BODY);
        tampered[3] = (tampered[3] ?? 0) ^ 0x01;
        await expectFailure(scheme, withSig(await detached(signers[alg], BODY), tampered), 'signature_invalid');
        await expectFailure(scheme, withSig(await unencoded(signers[alg], BODY), tampered), 'signature_invalid');
      });

      it('rejects a signature that names another key', async () => {
        const scheme = jwsScheme(fileOptions());
        const other = ALGS.find((a) => a !== alg) ?? 'ES256';
        const impostor = { ...signers[alg], kid: signers[other].kid };
        await expectFailure(scheme, withSig(await detached(impostor, BODY)), 'signature_invalid');
      });
    });
  }

  it('refuses a JWS without iat by default, since it would stay fresh forever', async () => {
    const defaults = fileOptions();
    delete defaults.requireIat;
    const scheme = jwsScheme(defaults);
    const detail = await expectFailure(scheme, withSig(await detached(signers.ES256, BODY)), 'signature_malformed');
    expect(detail).toMatch(/no iat/);
    expect(await verify(scheme, withSig(await detached(signers.ES256, BODY, { iat: 1_700_000_000 })))).toMatchObject({ ok: true, signedAt: 1_700_000_000 });
  });

  it('reports the key set: keys loaded, last load, next refresh, verifications per kid and unknown kids', async () => {
    let clock = Date.parse('2026-03-01T12:00:00Z');
    const scheme = jwsScheme(fileOptions(), { now: () => clock });
    await verify(scheme, withSig(await detached(signers.ES256, BODY)));
    clock += 1_000;
    await verify(scheme, withSig(await detached(signers.ES256, BODY)));
    await verify(scheme, withSig(await detached({ ...signers.ES256, kid: 'ghost' }, BODY)));
    expect(scheme.keySet()).toEqual({
      source: 'file',
      keys: [
        { kid: 'es-1', alg: 'ES256', kty: 'EC' },
        { kid: 'rs-1', alg: 'RS256', kty: 'RSA' },
        { kid: 'ed-1', alg: 'EdDSA', kty: 'OKP' },
      ],
      lastFetch: { at: '2026-03-01T12:00:00.000Z', ok: true },
      nextRefreshAt: '2026-03-01T12:01:00.000Z',
      verifiedByKid: [{ kid: 'es-1', count: 2, lastAt: '2026-03-01T12:00:01.000Z' }],
      unknownKids: [{ kid: 'ghost', count: 1, lastSeenAt: '2026-03-01T12:00:01.000Z' }],
    });
  });

  it('rejects an unknown kid and a kid whose key is of another type', async () => {
    const scheme = jwsScheme(fileOptions());
    const detail = await expectFailure(scheme, withSig(await detached({ ...signers.ES256, kid: 'nope' }, BODY)), 'signature_invalid');
    expect(detail).toContain('"nope"');
    await expectFailure(scheme, withSig(await detached({ ...signers.ES256, kid: 'rs-1' }, BODY)), 'signature_invalid');
  });

  it('rejects an alg that is not allowed, alg none and HS256 as signature_invalid', async () => {
    const scheme = jwsScheme({ ...fileOptions(), algorithms: ['ES256'] });
    await expectFailure(scheme, withSig(await detached(signers.RS256, BODY)), 'signature_invalid');
    await expectFailure(scheme, withSig(await detached(signers.EdDSA, BODY)), 'signature_invalid');
    expect(await verify(scheme, withSig(await detached(signers.ES256, BODY)))).toMatchObject({ ok: true });
    const all = jwsScheme(fileOptions());
    await expectFailure(all, withSig(`${b64url({ alg: 'none', kid: 'es-1' })}..AAAA`), 'signature_invalid');
    await expectFailure(all, withSig(`${b64url({ alg: 'HS256', kid: 'es-1' })}..AAAA`), 'signature_invalid');
  });

  it('reports absent and empty headers as signature_missing', async () => {
    const scheme = jwsScheme(fileOptions());
    await expectFailure(scheme, request({}), 'signature_missing');
    await expectFailure(scheme, withSig(''), 'signature_missing');
  });

  it('reports unparseable headers as signature_malformed', async () => {
    const scheme = jwsScheme(fileOptions());
    const valid = await detached(signers.ES256, BODY);
    const [p = '', s = ''] = valid.split('..');
    const malformed = [
      'abc',
      `${p}.${s}`,
      `${p}..${s}..`,
      `${p}.${b64url('payload')}.${s}`,
      `..${s}`,
      `${p}..`,
      `${p}..${s}!`,
      `${p}..${s}=`,
      `${p}*..${s}`,
      `${b64url('not json')}..${s}`,
      `${b64url([1, 2])}..${s}`,
      `${b64url('null')}..${s}`,
      `${b64url({ kid: 'es-1' })}..${s}`,
      `${b64url({ alg: 'ES256', kid: 7 })}..${s}`,
      `${b64url({ alg: 'ES256', kid: 'es-1', iat: '1700000000' })}..${s}`,
      `${b64url({ alg: 'ES256', kid: 'es-1', iat: 1.5 })}..${s}`,
      `${b64url({ alg: 'ES256', kid: 'es-1', b64: false })}..${s}`,
      `${b64url({ alg: 'ES256', kid: 'es-1', b64: 'no', crit: ['b64'] })}..${s}`,
      `${b64url({ alg: 'ES256', kid: 'es-1', crit: ['b64'] })}..${s}`,
      `${b64url({ alg: 'ES256', kid: 'es-1', crit: [] })}..${s}`,
      `${'A'.repeat(8200)}..${s}`,
    ];
    for (const value of malformed) {
      const detail = await expectFailure(scheme, withSig(value), 'signature_malformed');
      expect(detail.length).toBeLessThan(200);
    }
  });

  it('refuses a critical extension it does not implement', async () => {
    const scheme = jwsScheme(fileOptions());
    await expectFailure(scheme, withSig(`${b64url({ alg: 'ES256', kid: 'es-1', crit: ['exp'], exp: 1 })}..AAAA`), 'signature_invalid');
  });

  it('rejects an ES256 signature in DER form (JWS requires raw r||s)', async () => {
    const scheme = jwsScheme(fileOptions());
    const protectedB64 = b64url({ alg: 'ES256', kid: 'es-1' });
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'der' };
    writeFileSync(join(dir, 'der.json'), JSON.stringify({ keys: [jwk] }));
    const derScheme = jwsScheme({ ...fileOptions(), jwks: { file: join(dir, 'der.json') } });
    const input = Buffer.from(`${b64url({ alg: 'ES256', kid: 'der' })}.${BODY.toString('base64url')}`);
    const der = nodeSign('sha256', input, privateKey).toString('base64url');
    const raw = nodeSign('sha256', input, { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    await expectFailure(derScheme, withSig(`${b64url({ alg: 'ES256', kid: 'der' })}..${der}`), 'signature_invalid');
    expect(await verify(derScheme, withSig(`${b64url({ alg: 'ES256', kid: 'der' })}..${raw}`))).toMatchObject({ ok: true, secretId: 'der' });
    await expectFailure(scheme, withSig(`${protectedB64}..${raw}`), 'signature_invalid');
  });

  it('uses the id header over jti, and ignores junk when looking for jti', async () => {
    const scheme = jwsScheme({ ...fileOptions(), idHeader: 'X-Delivery' });
    const value = await detached(signers.ES256, BODY, { jti: 'from-jti' });
    expect(scheme.deliveryId(withSig(value, BODY, { 'x-delivery': 'from-header' }))).toBe('from-header');
    expect(scheme.deliveryId(withSig(value))).toBeUndefined();
    const plain = jwsScheme(fileOptions());
    expect(plain.deliveryId(withSig(value))).toBe('from-jti');
    expect(plain.deliveryId(withSig(await detached(signers.ES256, BODY)))).toBeUndefined();
    expect(plain.deliveryId(withSig('%%%..%%%'))).toBeUndefined();
    expect(plain.deliveryId(request({}))).toBeUndefined();
  });

  it('picks a kid-less key by alg and names it by its RFC 7638 thumbprint', async () => {
    const ed = await signer('EdDSA', 'unused');
    const noKid: JWK = { ...ed.jwk };
    delete noKid.kid;
    const file = join(dir, 'nokid.json');
    writeFileSync(file, JSON.stringify({ keys: [noKid, signers.ES256.jwk] }));
    const scheme = jwsScheme({ ...fileOptions(), jwks: { file } });
    const jws = await new CompactSign(BODY).setProtectedHeader({ alg: 'EdDSA' }).sign(ed.privateKey);
    const [p, , s] = jws.split('.');
    const thumbprint = await calculateJwkThumbprint(noKid, 'sha256');
    expect(await verify(scheme, withSig(`${p}..${s}`))).toMatchObject({ ok: true, secretId: `jkt:${thumbprint}` });
  });

  it('skips JWKS entries that cannot serve an allowed algorithm', async () => {
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    const file = join(dir, 'mixed.json');
    writeFileSync(
      file,
      JSON.stringify({
        keys: [
          { kty: 'oct', k: 'c2VjcmV0', kid: 'hmac' },
          { ...weak, kid: 'weak' },
          { ...signers.RS256.jwk, kid: 'enc', use: 'enc' },
          { ...signers.RS256.jwk, kid: 'ps', alg: 'PS256' },
          { kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA', kid: 'broken' },
          'not a key',
          signers.ES256.jwk,
        ],
      }),
    );
    const scheme = jwsScheme({ ...fileOptions(), jwks: { file } });
    for (const kid of ['weak', 'enc', 'ps']) {
      await expectFailure(scheme, withSig(await detached({ ...signers.RS256, kid }, BODY)), 'signature_invalid');
    }
    expect(await verify(scheme, withSig(await detached(signers.ES256, BODY)))).toMatchObject({ ok: true });
  });

  it('re-reads the file for a new kid, at most once per refreshMinSeconds', async () => {
    const file = join(dir, 'rotating.json');
    writeFileSync(file, JSON.stringify({ keys: [signers.ES256.jwk] }));
    let clock = 1_000_000;
    const scheme = jwsScheme({ ...fileOptions(), jwks: { file } }, { now: () => clock });
    writeFileSync(file, JSON.stringify({ keys: [signers.ES256.jwk, rotated.jwk] }));
    const value = await detached(rotated, BODY);
    const early = await verify(scheme, withSig(value));
    expect(early).toMatchObject({ ok: false, reason: 'signature_invalid' });
    clock += 60_000;
    expect(await verify(scheme, withSig(value))).toMatchObject({ ok: true, secretId: 'es-2' });
  });

  it('throws clear errors at creation for a bad file or options', () => {
    expect(() => jwsScheme({ ...fileOptions(), jwks: { file: join(dir, 'missing.json') } })).toThrow(/cannot read JWKS file/);
    writeFileSync(join(dir, 'bad.json'), '{');
    expect(() => jwsScheme({ ...fileOptions(), jwks: { file: join(dir, 'bad.json') } })).toThrow(/not JSON/);
    writeFileSync(join(dir, 'empty.json'), '{"keys":[]}');
    expect(() => jwsScheme({ ...fileOptions(), jwks: { file: join(dir, 'empty.json') } })).toThrow(/no usable signing key/);
    expect(() => jwsScheme({ ...fileOptions(), algorithms: [] })).toThrow(/algorithms/);
    expect(() => jwsScheme({ ...fileOptions(), jwks: { url: 'ftp://example.com/jwks' } })).toThrow(/http or https/);
    expect(() => jwsScheme(fileOptions()).prepareKey('anything')).toThrow(/JWKS/);
  });
});

describe('jwsScheme with a JWKS URL', () => {
  let clock: number;
  const schemes: JwsScheme[] = [];
  const urlScheme = (extra: Partial<JwsOptions> = {}, fetchImpl?: typeof fetch): JwsScheme => {
    const scheme = jwsScheme(
      { header: HEADER, algorithms: [...ALGS], jwks: { url: jwksUrl }, refreshMinSeconds: 30, requireIat: false, ...extra },
      { now: () => clock, ...(fetchImpl === undefined ? {} : { fetch: fetchImpl }) },
    );
    schemes.push(scheme);
    return scheme;
  };

  beforeEach(() => {
    clock = 5_000_000;
  });
  afterAll(() => {
    for (const scheme of schemes) scheme.close();
  });

  it('fetches lazily, once, shared by concurrent first requests, then serves from cache', async () => {
    const scheme = urlScheme();
    expect(requests).toBe(0);
    delayMs = 50;
    const values = await Promise.all(ALGS.map((a) => detached(signers[a], BODY)));
    const checks = await Promise.all([...values, ...values].map((v) => verify(scheme, withSig(v))));
    expect(checks.every((c) => c.ok)).toBe(true);
    expect(requests).toBe(1);
    await verify(scheme, withSig(values[0] ?? ''));
    expect(requests).toBe(1);
  });

  it('picks up a rotated key with one refetch and rate-limits a flood of unknown kids', async () => {
    const scheme = urlScheme();
    expect(await verify(scheme, withSig(await detached(signers.ES256, BODY)))).toMatchObject({ ok: true });
    expect(requests).toBe(1);

    served = { keys: [signers.ES256.jwk, rotated.jwk] };
    const value = await detached(rotated, BODY);
    clock += 1_000;
    // Inside the refresh limit since the first fetch: no refetch, the new kid is not known yet.
    await expectFailure(scheme, withSig(value), 'signature_invalid');
    expect(requests).toBe(1);

    clock += 30_000;
    expect(await verify(scheme, withSig(value))).toMatchObject({ ok: true, secretId: 'es-2' });
    expect(requests).toBe(2);

    const flood = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => verify(scheme, withSig(await detached({ ...signers.ES256, kid: `bogus-${i}` }, BODY)))),
    );
    expect(flood.every((c) => !c.ok && c.reason === 'signature_invalid')).toBe(true);
    expect(requests).toBe(2);

    clock += 29_999;
    await expectFailure(scheme, withSig(await detached({ ...signers.ES256, kid: 'bogus-x' }, BODY)), 'signature_invalid');
    expect(requests).toBe(2);

    clock += 1;
    delayMs = 30;
    const burst = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => verify(scheme, withSig(await detached({ ...signers.ES256, kid: `burst-${i}` }, BODY)))),
    );
    expect(burst.every((c) => !c.ok)).toBe(true);
    expect(requests).toBe(3);
  });

  it('drops keys that disappear from the JWKS on refresh', async () => {
    const scheme = urlScheme();
    const old = await detached(signers.RS256, BODY);
    expect(await verify(scheme, withSig(old))).toMatchObject({ ok: true });
    served = { keys: [rotated.jwk] };
    clock += 30_000;
    expect(await verify(scheme, withSig(await detached(rotated, BODY)))).toMatchObject({ ok: true });
    await expectFailure(scheme, withSig(old), 'signature_invalid');
  });

  it('keeps the old keys when a refresh fails, and says so', async () => {
    const scheme = urlScheme();
    const known = await detached(signers.EdDSA, BODY);
    expect(await verify(scheme, withSig(known))).toMatchObject({ ok: true });
    failing = true;
    clock += 30_000;
    const detail = await expectFailure(scheme, withSig(await detached(rotated, BODY)), 'signature_invalid');
    expect(requests).toBe(2);
    expect(detail).toContain('HTTP 500');
    expect(await verify(scheme, withSig(known))).toMatchObject({ ok: true, secretId: 'ed-1' });

    // A JWKS that parses but holds no usable key is a failed refresh too.
    failing = false;
    served = { keys: [] };
    clock += 30_000;
    await expectFailure(scheme, withSig(await detached(rotated, BODY)), 'signature_invalid');
    expect(await verify(scheme, withSig(known))).toMatchObject({ ok: true });
  });

  it('answers signature_invalid when the first fetch fails, and retries only after the limit', async () => {
    const scheme = urlScheme();
    failing = true;
    const value = await detached(signers.ES256, BODY);
    const detail = await expectFailure(scheme, withSig(value), 'signature_invalid');
    expect(detail).toMatch(/JWKS not loaded/);
    await expectFailure(scheme, withSig(value), 'signature_invalid');
    expect(requests).toBe(1);
    failing = false;
    clock += 30_000;
    expect(await verify(scheme, withSig(value))).toMatchObject({ ok: true });
    expect(requests).toBe(2);
  });

  it('never throws when fetch itself throws or returns junk', async () => {
    let calls = 0;
    const throwing = (async () => {
      calls += 1;
      throw new TypeError('fetch failed');
    }) as typeof fetch;
    const scheme = urlScheme({}, throwing);
    await expectFailure(scheme, withSig(await detached(signers.ES256, BODY)), 'signature_invalid');
    expect(calls).toBe(1);
    const junk = (async () => new Response('<html>', { status: 200 })) as typeof fetch;
    await expectFailure(urlScheme({}, junk), withSig(await detached(signers.ES256, BODY)), 'signature_invalid');
  });

  it('does not fetch for a request that fails before key lookup', async () => {
    const scheme = urlScheme();
    await expectFailure(scheme, withSig('garbage'), 'signature_malformed');
    await expectFailure(scheme, withSig(`${b64url({ alg: 'none' })}..AAAA`), 'signature_invalid');
    expect(requests).toBe(0);
  });

  it('reports the last fetch and its failure in the key set, and refuses a JWKS larger than 1 MiB without reading it all', async () => {
    const scheme = urlScheme();
    expect(scheme.keySet()).toMatchObject({ source: 'url', keys: [], lastFetch: null, nextRefreshAt: null });
    await verify(scheme, withSig(await detached(signers.ES256, BODY)));
    expect(scheme.keySet()).toMatchObject({ keys: expect.arrayContaining([{ kid: 'es-1', alg: 'ES256', kty: 'EC' }]), lastFetch: { ok: true }, verifiedByKid: [{ kid: 'es-1', count: 1 }] });
    failing = true;
    clock += 30_000;
    await verify(scheme, withSig(await detached(rotated, BODY)));
    expect(scheme.keySet()).toMatchObject({ lastFetch: { ok: false, error: 'JWKS URL answered HTTP 500' }, unknownKids: [{ kid: 'es-2', count: 1 }] });

    let pulled = 0;
    const endless = (async () =>
      new Response(
        new ReadableStream({
          pull(controller) {
            pulled += 1;
            controller.enqueue(new Uint8Array(64 * 1024).fill(0x20));
          },
        }),
      )) as typeof fetch;
    const big = urlScheme({}, endless);
    const detail = await expectFailure(big, withSig(await detached(signers.ES256, BODY)), 'signature_invalid');
    expect(detail).toMatch(/more than 1 MiB/);
    expect(pulled).toBeLessThan(40);
  });

  it('stops refreshing after close but keeps verifying with cached keys', async () => {
    const scheme = urlScheme();
    const value = await detached(signers.ES256, BODY);
    expect(await verify(scheme, withSig(value))).toMatchObject({ ok: true });
    scheme.close();
    clock += 60_000;
    await expectFailure(scheme, withSig(await detached(rotated, BODY)), 'signature_invalid');
    expect(requests).toBe(1);
    expect(await verify(scheme, withSig(value))).toMatchObject({ ok: true });
  });
});
