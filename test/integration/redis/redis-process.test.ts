import { createServer, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../helpers/free-port.js';
import { startRedisProcess, type RedisProcess } from '../../helpers/redis-process.js';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js';

const BINARY = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';
const args = (port: number): string[] => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'];

/** The ports a first start is handed: the given ones first, then free ones, as a busy machine might hand them out. */
function portsStartingWith(...taken: number[]): () => Promise<number> {
  const queue = [...taken];
  return () => Promise.resolve(queue.shift() ?? freePort());
}

async function processIdOn(port: number): Promise<number> {
  const client = new Redis(port, '127.0.0.1');
  try {
    return Number(/process_id:(\d+)/.exec(await client.info('server'))?.[1]);
  } finally {
    client.disconnect();
  }
}

describe('starting a Redis binary on a free port', () => {
  let foreign: RedisServer;
  let silent: Server;
  const silentSockets = new Set<Socket>();
  const started: RedisProcess[] = [];

  beforeAll(async () => {
    foreign = await startRedisServer();
    // A listener that accepts connections and never says a word: a probe must not wait on it forever.
    silent = createServer((socket) => {
      silentSockets.add(socket);
      socket.once('close', () => silentSockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  afterEach(async () => {
    for (const redis of started.splice(0)) await redis.stop();
  });
  afterAll(async () => {
    for (const socket of silentSockets) socket.destroy();
    await new Promise((resolve) => silent?.close(resolve));
    await foreign?.stop();
  });

  const silentPort = (): number => {
    const address = silent.address();
    if (typeof address !== 'object' || address === null) throw new Error('the silent listener has no port');
    return address.port;
  };
  const start = async (ports: () => Promise<number>): Promise<RedisProcess> => {
    const redis = await startRedisProcess({ binary: BINARY, args, ports });
    started.push(redis);
    return redis;
  };

  it('starts elsewhere when another test’s Redis already answers on its first port, and the port it gives is its own child’s', async () => {
    const redis = await start(portsStartingWith(foreign.port));
    expect(redis.port).not.toBe(foreign.port);
    expect(redis.pid).toBeDefined();
    expect(await processIdOn(redis.port)).toBe(redis.pid);
    expect(redis.output()).toContain('Address already in use');
  });

  it('starts elsewhere when a listener that never answers holds its first port', async () => {
    const redis = await start(portsStartingWith(silentPort()));
    expect(redis.port).not.toBe(silentPort());
    expect(await processIdOn(redis.port)).toBe(redis.pid);
  });

  it('starts elsewhere after losing several ports in a row', async () => {
    const redis = await start(portsStartingWith(foreign.port, silentPort(), foreign.port));
    expect([foreign.port, silentPort()]).not.toContain(redis.port);
    expect(await processIdOn(redis.port)).toBe(redis.pid);
  });

  it('gives up after five taken ports with the child’s output in the error', async () => {
    await expect(start(() => Promise.resolve(foreign.port))).rejects.toThrow(/did not start on port \d+: it exited[\s\S]*Address already in use/);
  });

  it('restarts a killed child on the same port', async () => {
    const redis = await start(freePort);
    const first = redis.pid;
    await redis.end('SIGKILL');
    await redis.restart();
    expect(redis.pid).not.toBe(first);
    expect(await processIdOn(redis.port)).toBe(redis.pid);
  });
});
