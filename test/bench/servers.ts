import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { spawnWithConfig, type ReceiverProcess } from '../helpers/receiver-process.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'hookwarden-receiver.js');

/** Every server the bench started and has not stopped: a run that fails half-way must not leave them listening. */
const started = new Set<ReceiverProcess>();
process.once('exit', () => {
  for (const server of started) server.child.kill('SIGKILL');
});

function track(server: ReceiverProcess): ReceiverProcess {
  started.add(server);
  return server;
}

/** Pins every thread of a server (event loop, writer thread, libuv pool) to one core; wrk gets the other. */
export function pin(pid: number | undefined, core: number): void {
  if (pid) spawnSync('taskset', ['-a', '-pc', String(core), String(pid)]);
}

/**
 * Pins the redis-server listening on `port` to `core`: left to the scheduler it runs on the server's
 * core half the time and takes that CPU from the node it serves. Found by its process title
 * ("/usr/bin/redis-server 127.0.0.1:<port>", which Redis sets in place of its command line).
 */
export function pinRedis(port: number, core: number): void {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    const title = readProcText(`/proc/${pid}/cmdline`)?.split('\0')[0] ?? '';
    if (/redis-server\S* \S+:\d+/.test(title) && title.endsWith(`:${port}`)) pin(Number(pid), core);
  }
}

function readProcText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined; // The process ended meanwhile.
  }
}

export async function startReceiver(configFile: string, core: number): Promise<ReceiverProcess> {
  const server = track(await spawnWithConfig(configFile));
  pin(server.child.pid, core);
  return server;
}

/** The receiver with --cpu-prof: the profile is written to `dir` when it exits on SIGTERM. */
export function startProfiledReceiver(configFile: string, dir: string, core: number): Promise<ReceiverProcess> {
  const child = spawn('taskset', ['-c', String(core), process.execPath, '--cpu-prof', `--cpu-prof-dir=${dir}`, BIN, '--config', configFile], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return new Promise((resolve) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; ingress?: string; admin?: string };
      if (entry.msg === 'receiver listening' && entry.ingress) resolve(track({ child, ingressUrl: entry.ingress, adminUrl: entry.admin, exited, output: () => '' }));
    });
  });
}

export function startBare(core: number): Promise<ReceiverProcess> {
  return startBaseline('bare-server.mjs', core, {});
}

/** The floor (floor-server.mjs): the least a receiver with the same durability does, its database in `dir`. */
export function startFloor(core: number, secret: string, dir: string): Promise<ReceiverProcess> {
  return startBaseline('floor-server.mjs', core, { FLOOR_SECRET: secret, FLOOR_DATABASE: join(dir, 'floor.db') });
}

function startBaseline(script: string, core: number, env: Record<string, string>): Promise<ReceiverProcess> {
  const child = spawn(process.execPath, [join(import.meta.dirname, script)], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return new Promise((resolve) => {
    child.stdout.once('data', (chunk: Buffer) => {
      const { ingress } = JSON.parse(chunk.toString()) as { ingress: string };
      pin(child.pid, core);
      resolve(track({ child, ingressUrl: ingress, adminUrl: undefined, exited, output: () => '' }));
    });
  });
}

export async function stop(server: ReceiverProcess): Promise<void> {
  server.child.kill('SIGTERM');
  await server.exited;
  started.delete(server);
}
