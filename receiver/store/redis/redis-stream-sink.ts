/**
 * Downstream through Redis Streams: one stream per integration, read by workers with consumer groups.
 *
 * Redis keys:
 *   `${keyPrefix}:stream:<integrationId>`   stream, trimmed with `MAXLEN ~ maxLen`; one entry per accepted delivery:
 *       requestId       the receiver's request id (as in the ingress answer and GET /admin/v1/deliveries/{id})
 *       integrationId   the integration's id
 *       receivedAt      unix milliseconds, decimal
 *       query           the raw query string as received, with its leading "?"; "" when none
 *       headers         JSON object of the request headers (lower-case names; signature headers kept,
 *                       credential headers such as authorization and cookie replaced by "[redacted]")
 *       body            the raw body bytes exactly as received
 *   `${keyPrefix}:streamed:<requestId>`     string = the entry id; marks a request id as appended, expires after
 *                                          `dedupeTtlMs` (default 7 days)
 *
 * Exactly once per request id: the outbox re-delivers after a crash or a failed answer, and the one
 * Lua script appends only when the marker was not there, so a repeat adds nothing. The entry is
 * added before the marker: if a script were cut short, a repeat could add twice, but never lose one.
 */
import type { DeliverySink, OutboxEntry } from '../../sinks/delivery-sink.js';
import { LuaScript } from './lua-script.js';
import type { RedisConnection } from './redis-connection.js';

/** KEYS[1]: marker, KEYS[2]: stream; ARGV[1]: marker ttl ms, ARGV[2]: maxLen, ARGV[3..]: field, value, … Returns {entry id, 1 if added now}. */
const APPEND_ONCE = new LuaScript(`
local existing = redis.call('GET', KEYS[1])
if existing then return {existing, 0} end
local id = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', unpack(ARGV, 3))
redis.call('SET', KEYS[1], id, 'PX', ARGV[1])
return {id, 1}
`);

export interface RedisStreamSinkOptions {
  readonly keyPrefix: string;
  /** Approximate length the stream is trimmed to. */
  readonly maxLen: number;
  /** How long a request id is remembered as appended. Default 7 days, longer than any outbox retry. */
  readonly dedupeTtlMs?: number;
}

export const DEFAULT_STREAM_DEDUPE_TTL_MS = 7 * 24 * 3600 * 1000;

export class RedisStreamSink implements DeliverySink {
  readonly name = 'redis-stream';

  constructor(
    private readonly connection: RedisConnection,
    private readonly options: RedisStreamSinkOptions,
  ) {}

  async deliver(entry: OutboxEntry): Promise<void> {
    await this.append(entry);
  }

  /** Appends unless this request id was appended before; either way resolves with its entry id. */
  async append(entry: OutboxEntry): Promise<{ id: string; added: boolean }> {
    const { keyPrefix, maxLen } = this.options;
    const fields = [
      'requestId', entry.requestId,
      'integrationId', entry.integrationId,
      'receivedAt', String(entry.receivedAt),
      'query', entry.query,
      'headers', JSON.stringify(entry.headers),
      'body', entry.body,
    ];
    const reply = await this.connection.run((client) =>
      APPEND_ONCE.run(
        client,
        [`${keyPrefix}:streamed:${entry.requestId}`, `${keyPrefix}:stream:${entry.integrationId}`],
        [this.options.dedupeTtlMs ?? DEFAULT_STREAM_DEDUPE_TTL_MS, maxLen, ...fields],
      ),
    );
    if (!Array.isArray(reply) || typeof reply[0] !== 'string') throw new Error('unexpected reply from the stream append script');
    return { id: reply[0], added: Number(reply[1]) === 1 };
  }

  /** Nothing of its own to close: the connection belongs to whoever created it. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
