import { createHash, randomBytes } from 'node:crypto';
import * as crypto from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { TOKEN_SCOPES, type TokenScope } from '../../../../shared/contract/admin-api.js';
import { AdminAuth, DEFAULT_FAILURE_LIMITS, FailureThrottle, matchDigest, scopeAllows, tokenDigest, type AdminToken } from '../../../../receiver/admin/auth.js';

vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof crypto>();
  return { ...original, timingSafeEqual: vi.fn(original.timingSafeEqual) };
});

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('admin token matching', () => {
  const digests = Array.from({ length: 5 }, () => tokenDigest(randomBytes(16).toString('hex')));

  it('finds the matching digest wherever it is, and nothing for an unknown one', () => {
    digests.forEach((digest, index) => expect(matchDigest(Buffer.from(digest), digests)).toBe(index));
    expect(matchDigest(tokenDigest('nope'), digests)).toBe(-1);
    expect(matchDigest(tokenDigest('nope'), [])).toBe(-1);
  });

  it('compares against every configured digest in constant time, also after a match', () => {
    const compare = vi.mocked(crypto.timingSafeEqual);
    for (const probe of [digests[0], digests[4], tokenDigest('nope')]) {
      compare.mockClear();
      matchDigest(Buffer.from(probe as Buffer), digests);
      expect(compare).toHaveBeenCalledTimes(digests.length);
    }
  });
});

describe('scopes', () => {
  const expected: Record<TokenScope, Record<TokenScope, boolean>> = {
    read: { read: true, operate: false, admin: false },
    operate: { read: true, operate: true, admin: false },
    admin: { read: true, operate: true, admin: true },
  };
  it.each(TOKEN_SCOPES.flatMap((granted) => TOKEN_SCOPES.map((required) => [granted, required] as const)))('%s grants %s as ordered read < operate < admin', (granted, required) => {
    expect(scopeAllows(granted, required)).toBe(expected[granted][required]);
  });
});

describe('AdminAuth', () => {
  const tokens = { reader: randomBytes(24).toString('base64url'), boss: randomBytes(24).toString('base64url') };
  const configured: AdminToken[] = [
    { name: 'reader', sha256: sha256(tokens.reader), scope: 'read' },
    { name: 'boss', sha256: sha256(tokens.boss).toUpperCase(), scope: 'admin', payloads: true },
  ];

  it('accepts a configured token and names it, never holding the token itself', () => {
    const auth = new AdminAuth(configured, DEFAULT_FAILURE_LIMITS);
    expect(auth.authenticate(`Bearer ${tokens.reader}`, '10.0.0.1', 0)).toEqual({ ok: true, token: { name: 'reader', scope: 'read', payloads: false } });
    expect(auth.authenticate(`bearer ${tokens.boss}`, '10.0.0.1', 0)).toEqual({ ok: true, token: { name: 'boss', scope: 'admin', payloads: true } });
    expect(JSON.stringify(auth)).not.toContain(tokens.reader);
  });

  it.each([
    [undefined, 'no bearer token'],
    ['', 'no bearer token'],
    ['Basic dXNlcjpwYXNz', 'malformed authorization header'],
    ['Bearer', 'malformed authorization header'],
    ['Bearer not-a-token', 'unknown token'],
  ])('refuses %j with 401 (%s)', (header, problem) => {
    expect(new AdminAuth(configured, DEFAULT_FAILURE_LIMITS).authenticate(header, '10.0.0.1', 0)).toEqual({ ok: false, status: 401, problem });
  });

  it('throttles a source after 10 failures, even for a valid token, and lets it try again as the bucket refills', () => {
    const auth = new AdminAuth(configured, DEFAULT_FAILURE_LIMITS);
    for (let attempt = 0; attempt < 10; attempt++) expect(auth.authenticate('Bearer wrong', '10.0.0.9', 1000)).toMatchObject({ status: 401 });
    expect(auth.authenticate(`Bearer ${tokens.boss}`, '10.0.0.9', 1000)).toEqual({ ok: false, status: 429, retryAfterSeconds: 6, problem: 'too many failures from this address' });
    // Other sources are not affected.
    expect(auth.authenticate(`Bearer ${tokens.boss}`, '10.0.0.10', 1000)).toMatchObject({ ok: true });
    // One failure comes back every 6 s (10 per minute).
    expect(auth.authenticate(`Bearer ${tokens.boss}`, '10.0.0.9', 7000)).toMatchObject({ ok: true });
    expect(auth.authenticate('Bearer wrong', '10.0.0.9', 7000)).toMatchObject({ status: 401 });
    expect(auth.authenticate('Bearer wrong', '10.0.0.9', 7000)).toMatchObject({ status: 429 });
  });

  it('spends a global budget across addresses: beyond it a new address is refused unheard, a known one is still heard', () => {
    const auth = new AdminAuth(configured, { ...DEFAULT_FAILURE_LIMITS, global: { burst: 50, perMinute: 60 } });
    expect(auth.authenticate(`Bearer ${tokens.boss}`, '10.0.9.9', 0)).toMatchObject({ ok: true });
    for (let index = 0; index < 50; index++) expect(auth.authenticate('Bearer wrong', `10.1.0.${index}`, 0)).toMatchObject({ status: 401 });
    // A fresh address gets 429 whatever it shows, a right token included: guesses get no answer.
    expect(auth.authenticate(`Bearer ${tokens.boss}`, '10.2.0.1', 0)).toEqual({ ok: false, status: 429, retryAfterSeconds: 1, problem: 'too many failures from all addresses' });
    expect(auth.authenticate('Bearer wrong', '10.2.0.2', 0)).toMatchObject({ status: 429 });
    // The operator's console, which authenticated before, keeps working.
    expect(auth.authenticate(`Bearer ${tokens.boss}`, '10.0.9.9', 0)).toMatchObject({ ok: true });
    // One failure comes back per second (60 per minute).
    expect(auth.authenticate(`Bearer ${tokens.boss}`, '10.2.0.1', 1000)).toMatchObject({ ok: true });
  });

  it('never throttles a client for its successful requests', () => {
    const auth = new AdminAuth(configured, DEFAULT_FAILURE_LIMITS);
    for (let attempt = 0; attempt < 100; attempt++) expect(auth.authenticate(`Bearer ${tokens.reader}`, '10.0.0.1', 0).ok).toBe(true);
  });

  it('forgets the stalest sources first so that memory stays bounded', () => {
    const throttle = new FailureThrottle({ burst: 1, perMinute: 1 });
    for (let index = 0; index < 10_001; index++) throttle.recordFailure(`src-${index}`, 0);
    expect(throttle.retryAfter('src-0', 0)).toBe(0);
    expect(throttle.retryAfter('src-10000', 0)).toBe(60);
  });
});
