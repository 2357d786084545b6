import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/test-receiver.js';

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'hookwarden-receiver.js');

function run(config: string, env: NodeJS.ProcessEnv = {}) {
  const dir = tempDir();
  const file = join(dir, 'receiver.yml');
  writeFileSync(file, config);
  const result = spawnSync(process.execPath, [BIN, '--config', file], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 10_000 });
  return { ...result, file };
}

/** An invalid config exits non-zero before listening, naming the file, the key path and the problem. */
describe('hookwarden-receiver with a bad config', () => {
  it('names the key path of a schema problem', () => {
    const result = run('ingress: { listen: "127.0.0.1:0" }\nintegrations:\n  - id: pay\n    scheme: stripe\n    secrets: [ { id: s1, value: x } ]\n    toleranceSeconds: -5\n');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(result.file);
    expect(result.stderr).toContain('integrations[0].toleranceSeconds');
  });

  it('names a missing environment variable without printing any secret', () => {
    const result = run('ingress: { listen: "127.0.0.1:0" }\nintegrations:\n  - id: pay\n    scheme: stripe\n    secrets: [ { id: s1, value: "env:HOOKWARDEN_TEST_UNSET" } ]\n');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('integrations[0].secrets[0].value: environment variable HOOKWARDEN_TEST_UNSET is not set');
  });

  it('names a secret the scheme cannot use, without echoing it', () => {
    const result = run('ingress: { listen: "127.0.0.1:0" }\nintegrations:\n  - id: sw\n    scheme: standard-webhooks\n    secrets: [ { id: s1, value: "not-base64-%%%" } ]\n');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('integrations[0].secrets[0].value');
    expect(result.stderr).not.toContain('not-base64-%%%');
  });

  it('reports YAML syntax errors with their line', () => {
    const result = run('integrations: [\n  - id: x\n');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/line \d+/);
  });

  it('reports an unreadable file', () => {
    const result = spawnSync(process.execPath, [BIN, '--config', '/nonexistent/receiver.yml'], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('/nonexistent/receiver.yml');
    expect(result.stderr).toContain('ENOENT');
  });

  it('checks the example config as it ships', () => {
    const result = spawnSync(process.execPath, [BIN, '--config', join(import.meta.dirname, '..', '..', '..', 'examples', 'receiver.yml'), '--check'], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('ok (3 integrations)');
    expect(result.status).toBe(0);
  });
});
