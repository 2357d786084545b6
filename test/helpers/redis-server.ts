import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

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
const START_TIMEOUT_MS = 10_000;
const START_ATTEMPTS = 5;

class RedisStartError extends Error {
  constructor(message: string, readonly portTaken: boolean) {
    super(message);
  }
}

/**
 * A real redis-server on a free loopback port in a temporary folder. Every write is fsynced to the
 * append-only file, so a killed and restarted server still has its data, like a production Redis
 * with `appendfsync always`.
 */
export async function startRedisServer(): Promise<RedisServer> {
  let port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'hookwarden-redis-'));
  const args = (): string[] => [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--save', '',
    '--appendonly', 'yes',
    '--appendfsync', 'always',
    '--dir', dir,
    '--daemonize', 'no',
    '--loglevel', 'warning',
  ];
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let output = '';
  // Should the test process end without afterAll, the server must not outlive it.
  const killOnExit = (): void => void child?.kill('SIGKILL');
  process.once('exit', killOnExit);

  const launch = async (): Promise<void> => {
    const started = spawn(BINARY, args(), { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    const append = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-4000);
    };
    started.stdout?.on('data', append);
    started.stderr?.on('data', append);
    exited = new Promise((resolve) => started.once('exit', () => resolve()));
    let failed: Error | undefined;
    started.once('error', (error) => (failed = error));
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(await answersPing(port))) {
      if (failed || started.exitCode !== null || Date.now() > deadline) {
        started.kill('SIGKILL');
        throw new RedisStartError(`redis-server did not start on port ${port}: ${failed?.message ?? ''}\n${output}`, output.includes('Address already in use'));
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };

  const running = (): boolean => child !== undefined && child.exitCode === null && child.signalCode === null;
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (running()) {
      // A paused server would not act on SIGTERM until continued.
      child?.kill('SIGCONT');
      child?.kill(signal);
    }
    await exited;
  };

  // A port from freePort() is free only until someone takes it: other tests on a busy machine open
  // connections from the same range. A first start that lost its port tries another; restarts keep theirs.
  for (let attempt = 1; ; attempt++) {
    try {
      await launch();
      break;
    } catch (error) {
      if (!(error instanceof RedisStartError && error.portTaken) || attempt === START_ATTEMPTS) throw error;
      await exited;
      port = await freePort();
    }
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      await end('SIGTERM');
      process.off('exit', killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
    kill: () => end('SIGKILL'),
    async restart() {
      await end('SIGKILL');
      await launch();
    },
    pause: () => void (running() && child?.kill('SIGSTOP')),
    resume: () => void (running() && child?.kill('SIGCONT')),
  };
}

/** True once the server answers +PONG (not -LOADING while it replays its append-only file). */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}
