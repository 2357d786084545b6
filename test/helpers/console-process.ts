import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from './free-port.js';
import { tempDir } from './test-receiver.js';

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'electron', 'main', 'web', 'cli.js');
const STOP_TIMEOUT_MS = 15_000;

export interface ConsoleProcess {
  readonly child: ChildProcess;
  /** The URL the console printed, with its per-launch token. */
  readonly url: string;
  /** `http://127.0.0.1:<port>`, without the token. */
  readonly origin: string;
  readonly token: string;
  readonly userDataDir: string;
  /** The local receiver's remembered port: a free one, so that consoles running side by side never fight over 4455. */
  readonly localPort: number;
  readonly running: () => boolean;
  readonly output: () => string;
  /** SIGTERM (SIGKILL if it hangs), then its user-data folder goes. */
  stop(): Promise<void>;
}

/** The console in browser mode (the built `dist/electron/main/web/cli.js`) on a free port, with its own user data. */
export async function spawnConsole(env: NodeJS.ProcessEnv = {}): Promise<ConsoleProcess> {
  const userData = tempDir();
  const localPort = await freePort();
  writeFileSync(join(userData, 'settings.json'), JSON.stringify({ version: 1, fleets: [], localReceiver: { port: localPort }, preferences: {} }));
  const child = spawn(process.execPath, [CLI, '--port', '0'], { env: { ...process.env, HOOKWARDEN_USER_DATA: userData, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  const stop = async (): Promise<void> => {
    if (running()) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    rmSync(userData, { recursive: true, force: true });
  };
  try {
    const url = await new Promise<URL>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const match = /^Hookwarden console: (\S+)$/.exec(line);
        if (match?.[1]) resolve(new URL(match[1]));
      });
      void exited.then(() => reject(new Error(`the console exited before it was ready:\n${output}`)));
    });
    return { child, url: url.href, origin: url.origin, token: url.searchParams.get('token') ?? '', userDataDir: userData, localPort, running, output: () => output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
