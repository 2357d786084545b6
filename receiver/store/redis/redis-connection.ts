/**
 * The Redis connection of fleet mode.
 *
 * Redis keys: none of its own (see the store modules); it only owns the client and its health.
 *
 * The client is set up to fail fast: while Redis is unreachable every command rejects at once
 * (no offline queue) or within `commandTimeoutMs` (a socket that looks alive but does not answer),
 * so the ingress answers 503 instead of holding requests open. It reconnects forever with a capped
 * backoff and serves again by itself once Redis is back. Commands in flight when the socket drops
 * are rejected, never re-sent later: a replay claim re-sent after its caller already answered 503
 * would turn the sender's retry into a "duplicate" of something that was never stored.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { RedisOperationError, redactRedisUrl, type RedisHealth, type RedisTarget } from './redis-target.js';

export interface RedisConnectionOptions {
  /** A command without an answer for this long rejects. Default 1000. */
  readonly commandTimeoutMs?: number;
  /** Limit for establishing the TCP (and TLS) connection. Default 1000. */
  readonly connectTimeoutMs?: number;
  /** Cap of the reconnect backoff; bounds how long after Redis is back the node notices. Default 1000. */
  readonly maxReconnectDelayMs?: number;
  /** Consecutive command timeouts after which the socket is presumed dead and replaced. Default 3. */
  readonly timeoutsBeforeReconnect?: number;
}

export interface RedisConnection {
  /** The shared command client. Prefer `run`, which redacts errors and notices dead sockets. */
  readonly client: Redis;
  /** Runs one operation on the client; rejects with a RedisOperationError. */
  run<T>(operation: (client: Redis) => Promise<T>): Promise<T>;
  /** A second client with the same settings (e.g. a subscriber); the caller closes it with `closeClient`. */
  duplicate(overrides?: Partial<RedisOptions>): Redis;
  health(): RedisHealth;
  /** Resolves once the client is connected; for start-up, where a node should not serve before Redis answers. */
  ready(timeoutMs?: number): Promise<void>;
  /** Text of an error with credentials removed. */
  redact(error: unknown): string;
  close(): Promise<void>;
}

const TIMEOUT_MESSAGE = 'Command timed out';

export function createRedisConnection(target: RedisTarget, options: RedisConnectionOptions = {}): RedisConnection {
  return new FailFastConnection(target, options);
}

/** Quits a client politely if it is connected, and in every case stops it reconnecting. */
export async function closeClient(client: Redis): Promise<void> {
  if (client.status === 'ready') await client.quit().catch(() => undefined);
  client.disconnect();
}

class FailFastConnection implements RedisConnection {
  readonly client: Redis;
  private readonly secrets: readonly string[];
  private readonly timeoutsBeforeReconnect: number;
  private lastError: string | undefined;
  /** Set when a command failed for want of a working connection, cleared by the next success: ioredis
   *  still says 'ready' for a moment after the peer went away, but the commands already fail. */
  private failing: string | undefined;
  private consecutiveTimeouts = 0;

  constructor(target: RedisTarget, options: RedisConnectionOptions) {
    this.secrets = typeof target === 'string' ? credentialsOf(target) : [];
    this.timeoutsBeforeReconnect = options.timeoutsBeforeReconnect ?? 3;
    const maxDelay = options.maxReconnectDelayMs ?? 1000;
    const settings: RedisOptions = {
      enableOfflineQueue: false,
      commandTimeout: options.commandTimeoutMs ?? 1000,
      connectTimeout: options.connectTimeoutMs ?? 1000,
      // 0: commands in flight when the socket closes are rejected at once instead of waiting for reconnects.
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      // Reconnect forever; a little jitter so that a fleet does not reconnect in lockstep.
      retryStrategy: (attempt) => Math.min(maxDelay, 50 * 2 ** Math.min(attempt, 10)) + Math.floor(Math.random() * 50),
      // Detects a vanished peer on an idle connection.
      keepAlive: 5000,
    };
    this.client =
      typeof target === 'string'
        ? new Redis(target, settings)
        : new Redis({
            ...settings,
            sentinels: target.sentinels.map(({ host, port }) => ({ host, port })),
            name: target.name,
            // Ask the sentinels again at once when they announce a new primary, not only when the old one drops us.
            failoverDetector: true,
            sentinelRetryStrategy: (attempt) => Math.min(maxDelay, 50 * 2 ** Math.min(attempt, 10)),
            // A demoted primary answers writes with READONLY: reconnect (to the primary the sentinels name now), never re-send.
            reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 1 : false),
          });
    this.client.on('error', (error: unknown) => {
      this.lastError = this.redact(error);
    });
    this.client.on('ready', () => {
      this.lastError = undefined;
      this.failing = undefined;
      this.consecutiveTimeouts = 0;
    });
  }

  async run<T>(operation: (client: Redis) => Promise<T>): Promise<T> {
    try {
      const result = await operation(this.client);
      this.consecutiveTimeouts = 0;
      this.failing = undefined;
      return result;
    } catch (error) {
      const message = this.redact(error);
      // An error reply (ERR…, WRONGTYPE…) came from a server that answers: the connection is fine.
      if (isReply(error)) {
        this.consecutiveTimeouts = 0;
      } else {
        this.failing = message;
        if (message === TIMEOUT_MESSAGE) this.noteTimeout();
      }
      throw new RedisOperationError(message);
    }
  }

  duplicate(overrides: Partial<RedisOptions> = {}): Redis {
    const copy = this.client.duplicate(overrides);
    // Without a listener ioredis prints every connection error to the console.
    copy.on('error', () => undefined);
    return copy;
  }

  health(): RedisHealth {
    if (this.client.status === 'ready' && this.failing === undefined) return { ok: true };
    return { ok: false, detail: this.failing ?? this.lastError ?? `connection ${this.client.status}` };
  }

  ready(timeoutMs = 10_000): Promise<void> {
    if (this.client.status === 'ready') return Promise.resolve();
    if (this.client.status === 'end') return Promise.reject(new RedisOperationError('Redis connection is closed'));
    return new Promise((resolve, reject) => {
      const onReady = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.client.off('ready', onReady);
        reject(new RedisOperationError(`Redis not reachable within ${timeoutMs} ms: ${this.lastError ?? this.client.status}`));
      }, timeoutMs);
      this.client.once('ready', onReady);
    });
  }

  redact(error: unknown): string {
    let text = redactRedisUrl(error instanceof Error ? error.message : String(error));
    for (const secret of this.secrets) text = text.split(secret).join('***');
    return text;
  }

  close(): Promise<void> {
    return closeClient(this.client);
  }

  /** A socket that stopped answering (peer gone without a FIN) is only noticed by timeouts: replace it. */
  private noteTimeout(): void {
    this.consecutiveTimeouts += 1;
    if (this.consecutiveTimeouts < this.timeoutsBeforeReconnect) return;
    this.consecutiveTimeouts = 0;
    this.lastError = 'commands timed out; reconnecting';
    this.client.disconnect(true);
  }
}

function isReply(error: unknown): boolean {
  return error instanceof Error && error.name === 'ReplyError';
}

/** The password of a redis URL, as written and decoded, so that neither form ever reaches a message. */
function credentialsOf(url: string): string[] {
  let password: string;
  try {
    password = new URL(url).password;
  } catch {
    return [];
  }
  if (password === '') return [];
  const forms = new Set([password]);
  try {
    forms.add(decodeURIComponent(password));
  } catch {
    // Not valid percent-encoding: the raw form is all there is.
  }
  return [...forms];
}
