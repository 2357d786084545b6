import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { apiError } from '../../../../shared/contract/admin-api.js';
import { ConfigError } from '../../../../receiver/config/config-error.js';
import { parseConfig } from '../../../../receiver/config/load-config.js';
import { startTestReceiver, tempDir } from '../../../helpers/test-receiver.js';

/** Issue 10 item 9: configs and admin input that used to be accepted, hang or fail without naming the key. */

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const ADMIN = randomBytes(32).toString('base64url');
const GOOD_GITHUB = randomBytes(20).toString('hex');

let dir: string;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The start's error text (the engine is never left running), or 'started'. */
async function startError(config: Record<string, unknown>, files: Record<string, string> = {}): Promise<string> {
  const own = tempDir();
  try {
    const receiver = await startTestReceiver(config, { dir: own, files });
    await receiver.close();
    return 'started';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    rmSync(own, { recursive: true, force: true });
  }
}

const github = (value: string) => ({ integrations: [{ id: 'gh', scheme: 'github', secrets: [{ id: 'g1', value }] }] });

describe('weak secrets', () => {
  it.each([
    ['one byte', 'x', /is 1 bytes; at least 16/],
    ['whitespace only', ' \t  \t            \t   ', /only whitespace/],
    ['one repeated byte', 'a'.repeat(40), /repeats a single byte/],
  ])('a github secret of %s is refused at start, naming the key and why, never the value', async (_name, value, why) => {
    const message = await startError(github(value));
    expect(message).toContain('integrations[0].secrets[0].value');
    expect(message).toMatch(why);
    if (value.trim().length > 1) expect(message).not.toContain(value);
  });

  it('applies to hmac and standard-webhooks, not to provider-issued secrets', async () => {
    const hmac = { integrations: [{ id: 'h', scheme: 'hmac', hmac: { header: 'x-sig' }, secrets: [{ id: 'k', value: 'short-secret' }] }] };
    expect(await startError(hmac)).toMatch(/integrations\[0\]\.secrets\[0\]\.value: the secret is 12 bytes/);
    const zeros = `whsec_${Buffer.alloc(32).toString('base64')}`;
    expect(await startError({ integrations: [{ id: 'sw', scheme: 'standard-webhooks', secrets: [{ id: 's', value: zeros }] }] })).toMatch(/repeats a single byte/);
    expect(await startError({ integrations: [{ id: 'pay', scheme: 'stripe', secrets: [{ id: 's', value: 'whsec_short' }] }] })).toBe('started');
    expect(await startError(github(GOOD_GITHUB))).toBe('started');
  });

  it('is refused through POST /secrets with 400 weak_secret and the reason', async () => {
    const receiver = await startTestReceiver({
      admin: { listen: '127.0.0.1:0', tokens: [{ name: 'root', sha256: sha256(ADMIN), scope: 'admin' }] },
      ...github(GOOD_GITHUB),
    });
    try {
      for (const [secret, why] of [
        ['tiny', /4 bytes/],
        ['                    ', /whitespace/],
        ['z'.repeat(32), /single byte/],
      ] as const) {
        const response = await fetch(`${receiver.engine.adminUrl ?? ''}/admin/v1/integrations/gh/secrets`, {
          method: 'POST',
          headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ secret }),
        });
        expect(response.status).toBe(400);
        const { error } = apiError.parse(await response.json());
        expect(error.code).toBe('weak_secret');
        expect(error.message).toMatch(why);
      }
    } finally {
      await receiver.close();
    }
  });
});

describe('secret files', () => {
  it('refuses a device such as /dev/zero at once instead of reading it forever', async () => {
    expect(await startError(github('file:/dev/zero'))).toMatch(/secrets\[0\]\.value: secret file \/dev\/zero is not a regular file/);
  });

  it('refuses a FIFO without blocking on it', async () => {
    const fifo = join(dir, 'secret.fifo');
    execFileSync('mkfifo', [fifo]);
    expect(await startError(github(`file:${fifo}`))).toMatch(/is not a regular file/);
  });

  it('refuses a file larger than the cap, and reads one within it', async () => {
    const big = join(dir, 'big.secret');
    writeFileSync(big, randomBytes(100 * 1024).toString('hex'));
    expect(await startError(github(`file:${big}`))).toMatch(/is larger than 65536 bytes/);
    const fine = join(dir, 'fine.secret');
    writeFileSync(fine, `${GOOD_GITHUB}\n`);
    expect(await startError(github(`file:${fine}`))).toBe('started');
  });
});

describe('storage.path', () => {
  const problems = (storagePath: string): string[] => {
    try {
      parseConfig(stringify({ storage: { path: storagePath }, ...github(GOOD_GITHUB) }), join(dir, 'receiver.yml'));
      return [];
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return error.problems.map((problem) => `${problem.path}: ${problem.message}`);
    }
  };

  it('refuses kernel and device file systems, also behind a symbolic link', () => {
    expect(problems('/proc/hookwarden')).toEqual([expect.stringMatching(/^storage\.path: \/proc\/hookwarden is under \/proc/)]);
    expect(problems('/sys')).toEqual([expect.stringMatching(/^storage\.path: .* is under \/sys/)]);
    expect(problems('/dev/shm/../null-store')).toEqual([expect.stringMatching(/^storage\.path: .* is under \/dev/)]);
    symlinkSync('/proc/self', join(dir, 'sneaky'));
    expect(problems('./sneaky/store')).toEqual([expect.stringMatching(/^storage\.path: .* is under \/proc/)]);
    expect(problems('./data')).toEqual([]);
  });

  it('names storage.path and the OS error when the store cannot be opened', async () => {
    // Running as root, a read-only folder is still writable; a folder where the database file should be is not.
    const own = tempDir();
    mkdirSync(join(own, 'data', 'receiver.db'), { recursive: true });
    await expect(startTestReceiver(github(GOOD_GITHUB), { dir: own })).rejects.toThrow(/storage\.path: cannot open the store in .*data: .*unable to open database file/);
    writeFileSync(join(own, 'plain-file'), 'not a folder');
    await expect(startTestReceiver({ storage: { path: './plain-file', sync: 'normal' }, ...github(GOOD_GITHUB) }, { dir: own })).rejects.toThrow(
      /storage\.path: cannot open the store in .*plain-file: .*EEXIST/,
    );
    rmSync(own, { recursive: true, force: true });
  });
});

describe('listeners', () => {
  let taken: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => taken?.close(resolve));
    taken = undefined;
  });

  const occupy = async (): Promise<number> => {
    taken = createServer();
    await new Promise<void>((resolve) => taken?.listen(0, '127.0.0.1', resolve));
    return (taken.address() as AddressInfo).port;
  };

  it('names ingress.listen when its port is taken', async () => {
    const port = await occupy();
    expect(await startError({ ingress: { listen: `127.0.0.1:${port}` }, ...github(GOOD_GITHUB) })).toBe(
      `ingress.listen: cannot listen on 127.0.0.1:${port}: the address is already in use (another process listens there) (EADDRINUSE)`,
    );
  });

  it('names admin.listen when its port is taken, and leaves the ingress port free behind it', async () => {
    const port = await occupy();
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const ingressPort = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const message = await startError({ ingress: { listen: `127.0.0.1:${ingressPort}` }, admin: { listen: `127.0.0.1:${port}` }, ...github(GOOD_GITHUB) });
    expect(message).toMatch(/^admin\.listen: cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
    const again = createServer();
    await new Promise<void>((resolve, reject) => again.once('error', reject).listen(ingressPort, '127.0.0.1', resolve));
    await new Promise((resolve) => again.close(resolve));
  });
});

describe('admin tokens', () => {
  it('refuses the same token hash listed twice, whatever its case', () => {
    const hash = sha256(ADMIN);
    const config = { admin: { tokens: [{ name: 'a', sha256: hash, scope: 'read' }, { name: 'b', sha256: hash.toUpperCase(), scope: 'admin' }] }, ...github(GOOD_GITHUB) };
    expect(() => parseConfig(stringify(config), join(dir, 'receiver.yml'))).toThrow(/admin\.tokens\[1\]\.sha256: the same token as admin\.tokens\[0\]/);
  });
});
