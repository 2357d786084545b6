import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedisProcess } from './redis-process.js';

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** SIGTERM, wait for the exit, remove the data folder. Call it in afterAll. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash: what the append-only file holds survives a restart. */
  kill(): Promise<void>;
  /** Starts the server again on the same port and folder (killing it first if it still runs); resolves once it answers PING. */
  restart(): Promise<void>;
  /** SIGSTOP / SIGCONT: a server that keeps its connections open but stops answering. */
  pause(): void;
  resume(): void;
}

const BINARY = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';

/**
 * A real redis-server on a free loopback port in a temporary folder. Every write is fsynced to the
 * append-only file, so a killed and restarted server still has its data, like a production Redis
 * with `appendfsync always`.
 */
export async function startRedisServer(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'hookwarden-redis-'));
  const redis = await startRedisProcess({
    binary: BINARY,
    args: (port) => [
      '--port', String(port),
      '--bind', '127.0.0.1',
      '--save', '',
      '--appendonly', 'yes',
      '--appendfsync', 'always',
      '--dir', dir,
      '--daemonize', 'no',
      '--loglevel', 'warning',
    ],
  }).catch((error: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  return {
    url: `redis://127.0.0.1:${redis.port}`,
    port: redis.port,
    async stop() {
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    kill: () => redis.end('SIGKILL'),
    restart: () => redis.restart(),
    pause: () => redis.signal('SIGSTOP'),
    resume: () => redis.signal('SIGCONT'),
  };
}
