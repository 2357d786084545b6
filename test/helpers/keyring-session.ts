import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KeyringSession {
  /** The environment under which libsecret (keytar, secret-tool) reaches this session's keyring. */
  readonly env: { HOME: string; DBUS_SESSION_BUS_ADDRESS: string };
  readonly home: string;
  secretTool(...args: string[]): { status: number | null; stdout: string };
  stop(): Promise<void>;
}

/**
 * A private D-Bus session with an unlocked gnome-keyring, in a fresh HOME so that no older, locked
 * keyring is picked up. Needs the Debian packages dbus, gnome-keyring and libsecret-tools.
 */
export async function startKeyringSession(): Promise<KeyringSession> {
  for (const [command, pkg] of [['dbus-daemon', 'dbus'], ['gnome-keyring-daemon', 'gnome-keyring'], ['secret-tool', 'libsecret-tools']] as const) {
    if (spawnSync('which', [command]).status !== 0) throw new Error(`${command} is missing: apt-get install ${pkg}`);
  }
  const home = mkdtempSync(join(tmpdir(), 'hookwarden-keyring-'));
  const bus = spawnSync('dbus-daemon', ['--session', '--fork', '--print-address=1', '--print-pid=1'], { encoding: 'utf8' });
  const [address, pid] = bus.stdout.trim().split('\n');
  if (!address || !pid) throw new Error(`dbus-daemon did not start: ${bus.stderr}`);
  const env = { HOME: home, DBUS_SESSION_BUS_ADDRESS: address };
  const keyring: ChildProcess = spawn('gnome-keyring-daemon', ['--foreground', '--unlock', '--components=secrets'], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  keyring.stdin?.end('hookwarden-test');

  const secretTool = (...args: string[]) => {
    const result = spawnSync('secret-tool', args, { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 10_000 });
    return { status: result.status, stdout: result.stdout };
  };
  // The daemon reads the password, then creates and unlocks the login keyring: anything asked of it
  // before that file exists lands in a collection that does not exist yet.
  const loginKeyring = join(home, '.local', 'share', 'keyrings', 'login.keyring');
  for (let attempt = 0; attempt < 200 && !existsSync(loginKeyring); attempt++) await new Promise((resolve) => setTimeout(resolve, 25));
  if (!existsSync(loginKeyring)) throw new Error('gnome-keyring did not create its login keyring');
  return {
    env,
    home,
    secretTool,
    async stop() {
      keyring.kill('SIGTERM');
      process.kill(Number(pid), 'SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 50));
      rmSync(home, { recursive: true, force: true });
    },
  };
}
