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
 * The dispatcher hands over its batch (up to 100 rows) at once: one script appends them all.
 */
import type { DeliverySink, OutboxEntry } from '../../sinks/delivery-sink.js';
import { LuaScript } from './lua-script.js';
import type { RedisConnection } from './redis-connection.js';

/** Values per entry in the append script's ARGV: the six fields, in the order of their names in the script. */
const FIELD_ARGS = 6;

/**
 * KEYS, two per entry: its marker, its stream. ARGV[1]: marker ttl ms, ARGV[2]: maxLen, then
 * FIELD_ARGS per entry: requestId, integrationId, receivedAt, query, headers, body (the names are
 * the script's, not sent per entry). Returns two per entry: its entry id, 1 if added now. A
 * request id that comes twice in one call is added once.
 */
const APPEND_ONCE = new LuaScript(`
local results = {}
for i = 1, #KEYS, 2 do
  local existing = redis.call('GET', KEYS[i])
  if existing then
    results[#results + 1] = existing
    results[#results + 1] = 0
  else
    local a = 3 + (i - 1) / 2 * ${FIELD_ARGS}
    local id = redis.call('XADD', KEYS[i + 1], 'MAXLEN', '~', ARGV[2], '*', 'requestId', ARGV[a], 'integrationId', ARGV[a + 1],
      'receivedAt', ARGV[a + 2], 'query', ARGV[a + 3], 'headers', ARGV[a + 4], 'body', ARGV[a + 5])
    redis.call('SET', KEYS[i], id, 'PX', ARGV[1])
    results[#results + 1] = id
    results[#results + 1] = 1
  end
end
return results
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

  /** One script for the dispatcher's whole batch: a round trip and an append-only-file write per batch, not per delivery. */
  async deliverAll(entries: readonly OutboxEntry[]): Promise<void> {
    await this.appendAll(entries);
  }

  /** Appends unless this request id was appended before; either way resolves with its entry id. */
  async append(entry: OutboxEntry): Promise<{ id: string; added: boolean }> {
    const [appended] = await this.appendAll([entry]);
    if (!appended) throw new Error('the stream append script answered nothing');
    return appended;
  }

  private async appendAll(entries: readonly OutboxEntry[]): Promise<{ id: string; added: boolean }[]> {
    if (entries.length === 0) return [];
    const { keyPrefix, maxLen } = this.options;
    const keys: string[] = [];
    const args: (string | number | Buffer)[] = [this.options.dedupeTtlMs ?? DEFAULT_STREAM_DEDUPE_TTL_MS, maxLen];
    for (const entry of entries) {
      keys.push(`${keyPrefix}:streamed:${entry.requestId}`, `${keyPrefix}:stream:${entry.integrationId}`);
      args.push(entry.requestId, entry.integrationId, String(entry.receivedAt), entry.query, JSON.stringify(entry.headers), entry.body);
    }
    const reply = await this.connection.run((client) => APPEND_ONCE.run(client, keys, args));
    if (!Array.isArray(reply) || reply.length !== entries.length * 2) throw new Error('unexpected reply from the stream append script');
    const appended: { id: string; added: boolean }[] = [];
    for (let i = 0; i < reply.length; i += 2) {
      const id: unknown = reply[i];
      if (typeof id !== 'string') throw new Error('unexpected reply from the stream append script');
      appended.push({ id, added: Number(reply[i + 1]) === 1 });
    }
    return appended;
  }

  /** Nothing of its own to close: the connection belongs to whoever created it. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
