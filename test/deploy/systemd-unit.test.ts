import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMasterKey } from '../../receiver/state/master-key.js';

const UNIT = join(import.meta.dirname, '..', '..', 'deploy', 'systemd', 'hookwarden-receiver.service');
const ANALYZE = '/usr/bin/systemd-analyze';
const hasAnalyze = existsSync(ANALYZE);

describe('the systemd unit', () => {
  it.skipIf(!hasAnalyze)('passes systemd-analyze verify without a single complaint', () => {
    // verify exits 0 even for unknown keys; a warning on stderr is what a typo looks like.
    const result = spawnSync(ANALYZE, ['verify', UNIT], { encoding: 'utf8', cwd: tmpdir() });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it.skipIf(!hasAnalyze)('is rated OK or better by systemd-analyze security', () => {
    const output = execFileSync(ANALYZE, ['security', '--offline=true', '--no-pager', UNIT], { encoding: 'utf8', cwd: tmpdir() });
    const level = /Overall exposure level for \S+: (\d+(?:\.\d+)?)/.exec(output);
    expect(level, output).not.toBeNull();
    // 0 is fully locked down, 10 is unprotected; systemd calls < 2 "OK".
    expect(Number(level![1])).toBeLessThan(2);
  });

  it('declares the hardening the deployment guide promises', () => {
    const unit = readFileSync(UNIT, 'utf8');
    for (const line of [
      'DynamicUser=yes',
      'ProtectSystem=strict',
      'NoNewPrivileges=yes',
      'StateDirectory=hookwarden',
      'ProtectHome=yes',
      'PrivateTmp=yes',
      'SystemCallFilter=@system-service',
      'LoadCredential=master.key:/etc/hookwarden/master.key',
      'Environment=HOOKWARDEN_MASTER_KEY_FILE=%d/master.key',
    ]) {
      expect(unit.split('\n')).toContain(line);
    }
    // The state directory is the only writable path.
    expect(unit).not.toMatch(/^(ReadWritePaths|LogsDirectory|CacheDirectory|RuntimeDirectory)=/m);
  });
});

describe('the master key from a credential file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookwarden-credential-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is read from HOOKWARDEN_MASTER_KEY_FILE and nothing is written to the state directory', () => {
    const key = randomBytes(32);
    const file = join(dir, 'master.key');
    writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o400 });
    const state = mkdtempSync(join(dir, 'state-'));
    expect(loadMasterKey(state, { HOOKWARDEN_MASTER_KEY_FILE: file }).equals(key)).toBe(true);
    expect(existsSync(join(state, 'master.key'))).toBe(false);
  });

  it('refuses a credential of the wrong length, naming the file', () => {
    const file = join(dir, 'short.key');
    writeFileSync(file, 'c2hvcnQ=\n');
    expect(() => loadMasterKey(dir, { HOOKWARDEN_MASTER_KEY_FILE: file })).toThrow(`${file} must be 32 bytes`);
  });

  it('refuses a missing credential instead of generating a new key', () => {
    const state = mkdtempSync(join(dir, 'state-'));
    expect(() => loadMasterKey(state, { HOOKWARDEN_MASTER_KEY_FILE: join(dir, 'absent.key') })).toThrow(/absent\.key/);
    expect(existsSync(join(state, 'master.key'))).toBe(false);
  });
});
