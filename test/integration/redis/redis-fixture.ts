import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { createRedisConnection, type RedisConnection, type RedisConnectionOptions } from '../../../receiver/store/redis/redis-connection.js';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js';

export interface RedisFixture {
  server(): RedisServer;
  /** A plain client for looking at what the modules wrote. */
  raw(): Redis;
  /** A fail-fast connection as the receiver makes it, connected; closed in afterAll. */
  connect(options?: RedisConnectionOptions): Promise<RedisConnection>;
  /** A key prefix of its own for each test, so tests never see each other's keys. */
  prefix(): string;
  /** Scripts the server ran so far (EVALSHA and EVAL): one per round trip of the script-based modules. */
  scriptCalls(): Promise<number>;
}

/** One real redis-server for the calling test file, stopped with everything connected to it in afterAll. */
export function useRedisServer(): RedisFixture {
  let server: RedisServer | undefined;
  let raw: Redis | undefined;
  const connections: RedisConnection[] = [];

  beforeAll(async () => {
    server = await startRedisServer();
    raw = new Redis(server.url);
    // Tests kill the server on purpose: without a listener ioredis prints every refused reconnect.
    raw.on('error', () => undefined);
  });
  afterAll(async () => {
    for (const connection of connections.splice(0)) await connection.close();
    raw?.disconnect();
    await server?.stop();
  });

  return {
    server: () => server ?? fail('redis-server not started'),
    raw: () => raw ?? fail('redis-server not started'),
    async connect(options = {}) {
      const connection = createRedisConnection((server ?? fail('redis-server not started')).url, options);
      connections.push(connection);
      await connection.ready(5000);
      return connection;
    },
    prefix: () => `t${randomBytes(4).toString('hex')}`,
    async scriptCalls() {
      const info = await (raw ?? fail('redis-server not started')).info('commandstats');
      return [...info.matchAll(/cmdstat_(?:evalsha|eval):calls=(\d+)/g)].reduce((sum, match) => sum + Number(match[1]), 0);
    },
  };
}

function fail(message: string): never {
  throw new Error(message);
}

export async function eventually<T>(probe: () => Promise<T> | T, accept: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let value: T | undefined;
    let failure: unknown;
    try {
      value = await probe();
      if (accept(value)) return value;
    } catch (error) {
      failure = error;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms (last: ${failure instanceof Error ? failure.message : String(value)})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
