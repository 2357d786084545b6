import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SettingsFile } from '../../../electron/main/services/settings/settings-file.js';
import { tempDir } from '../../helpers/test-receiver.js';

describe('the settings file', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const fresh = () => {
    const dir = tempDir();
    dirs.push(dir);
    return join(dir, 'settings.json');
  };
  const fleet = { id: 'f-1', name: 'prod', nodes: [{ url: 'https://n1.example:9090' }], fingerprint: 'ab'.repeat(32), tokenStorage: 'keychain' as const };

  it('starts empty, writes atomically with mode 0600, and reads back what it wrote', async () => {
    const path = fresh();
    const settings = await SettingsFile.open(path);
    expect(settings.current().fleets).toEqual([]);
    await settings.update((current) => ({ ...current, fleets: [fleet] }));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(path, '..'))).toEqual(['settings.json']);
    expect((await SettingsFile.open(path)).current().fleets).toEqual([fleet]);
  });

  it('refuses to write anything that looks like a secret', async () => {
    const settings = await SettingsFile.open(fresh());
    await expect(settings.update((current) => ({ ...current, fleets: [{ ...fleet, name: 'whsec_abcdefghijklmnop' }] }))).rejects.toThrow(/secret-looking/);
    await expect(settings.update((current) => ({ ...current, fleets: [{ ...fleet, token: 'x' } as typeof fleet] }))).rejects.toThrow();
    expect(settings.current().fleets).toEqual([]);
  });

  it('sets a corrupt file aside instead of failing or losing it', async () => {
    const path = fresh();
    writeFileSync(path, '{"version": 1, "fleets": [tru');
    const settings = await SettingsFile.open(path);
    expect(settings.current().fleets).toEqual([]);
    expect(settings.problem).toMatch(/moved to .*settings\.json\.corrupt-/);
    const aside = readdirSync(join(path, '..')).find((name) => name.includes('corrupt'));
    expect(readFileSync(join(path, '..', aside ?? ''), 'utf8')).toContain('"fleets": [tru');
  });
});
