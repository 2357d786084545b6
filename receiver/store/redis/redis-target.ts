/**
 * What the rest of the node knows of fleet mode's Redis without loading its client: the target a config names,
 * how it is shown, and the error and health a connection reports. A single node never loads ioredis (about
 * 100 ms of start-up).
 */

export interface RedisHealth {
  readonly ok: boolean;
  /** Why not ok: the last connection error or the client's state; never contains credentials. */
  readonly detail?: string;
}

/** A failed Redis operation; its message has the URL's credentials taken out. */
export class RedisOperationError extends Error {
  override readonly name = 'RedisOperationError';
}

/** One Redis by URL, or the primary that Redis Sentinel names (followed across failovers). */
export type RedisTarget = string | { readonly sentinels: readonly { readonly host: string; readonly port: number }[]; readonly name: string };

/** The target of a node's `redis` config. */
export function redisTarget(redis: { url?: string | undefined; sentinels?: readonly { host: string; port: number }[] | undefined; name?: string | undefined }): RedisTarget {
  if (redis.url !== undefined) return redis.url;
  return { sentinels: redis.sentinels ?? [], name: redis.name ?? '' };
}

/** The target for logs, health and the shared-state id: credentials taken out. */
export function describeRedisTarget(target: RedisTarget): string {
  if (typeof target === 'string') return redactRedisUrl(target);
  return `sentinel://${target.sentinels.map((sentinel) => `${sentinel.host}:${sentinel.port}`).join(',')}/${target.name}`;
}

/** The URL with any user name and password replaced by `***`, for logs and health output. */
export function redactRedisUrl(url: string): string {
  return url.replace(/^(rediss?:\/\/)[^@/?#]*@/i, '$1***@');
}
