import { randomBytes } from 'node:crypto';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js';
import { ReceiverNode, stopAll } from './receiver-node.js';

export interface Fleet {
  readonly redis: RedisServer;
  readonly nodes: readonly ReceiverNode[];
  readonly keyPrefix: string;
  stop(): Promise<void>;
}

/** `count` receiver processes sharing one real redis-server (append-only, fsync always), each with its own SQLite store. */
export async function startFleet(count: number, integrations: Record<string, unknown>[], extra: Record<string, unknown> = {}): Promise<Fleet> {
  const redis = await startRedisServer();
  const keyPrefix = `rel${randomBytes(4).toString('hex')}`;
  const masterKey = randomBytes(32).toString('hex');
  const nodes = Array.from(
    { length: count },
    (_, index) =>
      new ReceiverNode(
        { node: { id: `node-${index}` }, storage: { path: './data', sync: 'full' }, redis: { url: redis.url, keyPrefix }, integrations, ...extra },
        { HOOKWARDEN_MASTER_KEY: masterKey },
      ),
  );
  const stop = async (): Promise<void> => {
    await stopAll(nodes);
    await redis.stop();
  };
  try {
    for (const node of nodes) await node.start();
  } catch (error) {
    await stop();
    throw error;
  }
  return { redis, nodes, keyPrefix, stop };
}
