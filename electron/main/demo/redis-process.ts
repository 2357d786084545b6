import { existsSync, mkdirSync } from 'node:fs';
import { startChild, type DemoChild } from './child-process.js';
import { freeLoopbackPort } from './free-port.js';

const REDIS_SERVER = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';

export interface DemoRedis {
  readonly url: string;
  readonly process: DemoChild;
}

/** The redis-server binary the demo can use, if the machine has one. */
export function redisServerAvailable(): boolean {
  return existsSync(REDIS_SERVER);
}

/**
 * A throwaway redis-server on a free loopback port, its files in the demo's folder: the demo's
 * state is worth nothing after Ctrl-C, so nothing is persisted.
 */
export async function startDemoRedis(dir: string): Promise<DemoRedis> {
  mkdirSync(dir, { recursive: true });
  const port = await freeLoopbackPort();
  const child = await startChild({
    name: 'redis-server',
    command: REDIS_SERVER,
    args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--loglevel', 'notice', '--logfile', ''],
    ready: (line) => line.includes('Ready to accept connections'),
    timeoutMs: 15_000,
  });
  return { url: `redis://127.0.0.1:${port}`, process: child };
}

