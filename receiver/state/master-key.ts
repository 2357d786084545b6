import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const KEY_BYTES = 32;

/**
 * The AES-256 key that seals runtime state (secrets added through the admin API). From
 * `HOOKWARDEN_MASTER_KEY` (64 hex digits or base64 of 32 bytes) — which every node of a fleet must
 * share —, from the file named by `HOOKWARDEN_MASTER_KEY_FILE` (systemd's `LoadCredential=` hands
 * the key over this way, so it is in neither the environment nor the state directory), or else
 * from `<storage>/master.key`, created 0600 on first start.
 */
export function loadMasterKey(storageDir: string, env: NodeJS.ProcessEnv): Buffer {
  const fromEnv = env.HOOKWARDEN_MASTER_KEY;
  if (fromEnv !== undefined && fromEnv !== '') return decodeKey(fromEnv, 'HOOKWARDEN_MASTER_KEY');
  const keyFile = env.HOOKWARDEN_MASTER_KEY_FILE;
  if (keyFile !== undefined && keyFile !== '') return decodeKey(readFileSync(keyFile, 'utf8').trim(), keyFile);
  const file = join(storageDir, 'master.key');
  try {
    const mode = statSync(file).mode & 0o777;
    if ((mode & 0o077) !== 0) chmodSync(file, 0o600);
    return decodeKey(readFileSync(file, 'utf8').trim(), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(KEY_BYTES);
  writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}

function decodeKey(text: string, source: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== KEY_BYTES) throw new Error(`${source} must be 32 bytes, as 64 hex digits or base64`);
  return key;
}
