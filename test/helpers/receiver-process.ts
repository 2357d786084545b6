import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { stringify } from 'yaml';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'hookwarden-receiver.js');

export interface ReceiverProcess {
  readonly child: ChildProcess;
  readonly ingressUrl: string;
  readonly adminUrl: string | undefined;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  readonly exited: Promise<number | string>;
  readonly output: () => string;
}

/** Writes the config into `dir` and runs the built `hookwarden-receiver` bin until it says it listens. */
export async function spawnReceiver(dir: string, config: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): Promise<ReceiverProcess> {
  const file = join(dir, 'receiver.yml');
  writeFileSync(file, stringify(config));
  return spawnWithConfig(file, env);
}

export function spawnWithConfig(file: string, env: NodeJS.ProcessEnv = {}): Promise<ReceiverProcess> {
  const child = spawn(process.execPath, [BIN, '--config', file], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      output += `${line}\n`;
      const entry = JSON.parse(line) as { msg?: string; ingress?: string; admin?: string };
      if (entry.msg === 'receiver listening' && entry.ingress) {
        resolve({ child, ingressUrl: entry.ingress, adminUrl: entry.admin, exited, output: () => output });
      }
    });
    void exited.then((code) => reject(new Error(`receiver exited (${code}) before listening:\n${output}`)));
  });
}
