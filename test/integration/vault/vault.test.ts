import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleError } from '../../../electron/main/services/console-error.js';
import { KeytarCredentialStore } from '../../../electron/main/services/vault/keytar-credential-store.js';
import { Vault } from '../../../electron/main/services/vault/vault.js';
import { startKeyringSession, type KeyringSession } from '../../helpers/keyring-session.js';

/**
 * The vault against a real Secret Service (gnome-keyring on a private D-Bus session). libsecret
 * reads DBUS_SESSION_BUS_ADDRESS when keytar first connects, and this file runs in its own worker
 * process, so setting the environment before the first vault call points keytar at this session.
 */
describe('the vault, on a real Secret Service', () => {
  let session: KeyringSession;
  let vault: Vault;
  const token = `hw-test-${Date.now()}-token-value`;

  beforeAll(async () => {
    session = await startKeyringSession();
    Object.assign(process.env, session.env);
    vault = new Vault(new KeytarCredentialStore());
  }, 30_000);
  afterAll(() => session.stop());

  function filesContaining(root: string, needle: string): string[] {
    const hits: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        const stats = statSync(path);
        if (stats.isDirectory()) walk(path);
        else if (stats.isFile() && readFileSync(path).includes(needle)) hits.push(path);
      }
    };
    walk(root);
    return hits;
  }

  it('reports the keychain as available', async () => {
    expect(await vault.status()).toEqual({ ok: true });
  });

  it('keeps a fleet token in the keychain, where secret-tool finds it, and in no file in clear', async () => {
    await vault.setFleetToken('f-1', token, true);
    expect(session.secretTool('lookup', 'service', 'Hookwarden', 'account', 'fleet:f-1:token').stdout).toBe(token);
    expect(await vault.fleetToken('f-1')).toEqual({ token, storage: 'keychain' });
    expect(filesContaining(session.home, token)).toEqual([]);
  });

  it('reads a token deleted behind its back as missing, never as an error', async () => {
    await vault.setFleetToken('f-2', token, true);
    session.secretTool('clear', 'service', 'Hookwarden', 'account', 'fleet:f-2:token');
    expect(await vault.fleetToken('f-2')).toEqual({ storage: 'missing' });
  });

  it('removes every entry of a fleet when it is forgotten', async () => {
    await vault.setFleetToken('f-3', token, true);
    await vault.keepSecret('f-3', 'pay', 's2', 'whsec_kept-by-choice');
    await vault.forgetFleet('f-3');
    expect(session.secretTool('lookup', 'service', 'Hookwarden', 'account', 'fleet:f-3:token').status).not.toBe(0);
    expect(session.secretTool('search', '--all', 'service', 'Hookwarden').stdout).not.toContain('fleet:f-3');
  });

  it('keeps a session-only token in memory, not in the keychain', async () => {
    await vault.setFleetToken('f-4', token, false);
    expect(await vault.fleetToken('f-4')).toEqual({ token, storage: 'session' });
    expect(session.secretTool('lookup', 'service', 'Hookwarden', 'account', 'fleet:f-4:token').status).not.toBe(0);
    expect(await new Vault(new KeytarCredentialStore()).fleetToken('f-4')).toEqual({ storage: 'missing' });
  });

  it('without a Secret Service, says so plainly and refuses to keep a token anywhere', () => {
    const script = `
      import { Vault } from './electron/main/services/vault/vault.ts';
      import { KeytarCredentialStore } from './electron/main/services/vault/keytar-credential-store.ts';
      const vault = new Vault(new KeytarCredentialStore());
      const status = await vault.status();
      let refused = null;
      try { await vault.setFleetToken('f-5', 'never-written', true); } catch (error) { refused = { name: error.name, code: error.code, message: error.message }; }
      console.log(JSON.stringify({ status, refused }));`;
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: join(import.meta.dirname, '..', '..', '..'),
      env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus', HOME: session.home },
      encoding: 'utf8',
      timeout: 30_000,
    });
    const { status, refused } = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as {
      status: { ok: boolean; reason?: string };
      refused: { name: string; code: string; message: string } | null;
    };
    expect(status.ok).toBe(false);
    expect(status.reason).toMatch(/No OS keychain is available/);
    expect(refused).toMatchObject({ name: 'ConsoleError', code: 'keychain_unavailable' });
    expect(ConsoleError).toBeDefined();
    expect(filesContaining(session.home, 'never-written')).toEqual([]);
  });
});
