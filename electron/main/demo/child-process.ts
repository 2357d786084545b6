import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A process the demo started and must leave no trace of. */
export interface DemoChild {
  readonly pid: number;
  /** SIGTERM, then SIGKILL after `graceMs` if it is still there; resolves once it is gone. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL now, for a demo that is itself dying and cannot wait. */
  kill(): void;
}

export interface StartOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Called with each line of stdout until it returns a value: the child is then ready. */
  readonly ready: (line: string) => boolean;
  readonly name: string;
  readonly timeoutMs: number;
}

/**
 * Starts a child and waits until one of its output lines says it is ready. A child that exits or
 * stays silent too long is an error naming it, with the end of what it printed.
 */
export function startChild(options: StartOptions): Promise<DemoChild> {
  const child = spawn(options.command, options.args, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (text: string): void => {
    output = (output + text).slice(-4000);
  };
  child.stderr.on('data', (chunk: Buffer) => keep(chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const handle: DemoChild = { pid: child.pid ?? -1, stop: (graceMs = 10_000) => stopChild(child, exited, graceMs), kill: () => void child.kill('SIGKILL') };

  return new Promise((resolve, reject) => {
    let ready = false;
    const fail = (why: string): void => {
      if (ready) return;
      ready = true;
      clearTimeout(timer);
      void handle.stop(0).then(() => reject(new Error(`${options.name} ${why}:\n${output}`)));
    };
    const timer = setTimeout(() => fail(`did not become ready within ${options.timeoutMs / 1000} s`), options.timeoutMs);
    child.once('error', (error) => fail(`could not start (${error.message})`));
    child.once('exit', (code, signal) => fail(`exited (${code ?? signal}) before it was ready`));
    // Lines after readiness are drained and dropped: a full pipe would block the child.
    createInterface({ input: child.stdout }).on('line', (line) => {
      keep(`${line}\n`);
      if (!ready && options.ready(line)) {
        ready = true;
        clearTimeout(timer);
        resolve(handle);
      }
    });
  });
}

async function stopChild(child: ChildProcess, exited: Promise<void>, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(graceMs === 0 ? 'SIGKILL' : 'SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
