import { ConfigError } from '../config/config-error.js';
import { resolveSecret } from '../config/resolve-secret.js';
import { AmqpPublisher } from './amqp-publisher.js';
import type { DeliverySink, OutboxEntry } from './delivery-sink.js';

export interface AmqpSinkOptions {
  readonly url: string;
  readonly exchange: string;
  /** `{integration}` is replaced by the integration's id. */
  readonly routingKey: string;
  readonly confirmTimeoutMs: number;
  readonly connectTimeoutMs: number;
}

/**
 * Downstream through RabbitMQ: one persistent message per accepted delivery, published to an
 * exchange the operator declared (with the queues bound to it).
 *
 * The message: body = the raw request body exactly as received; properties `messageId` = the
 * request id (consumers deduplicate on it), `timestamp` = arrival (Unix seconds), `contentType` as
 * the sender sent it, `appId` = "hookwarden", `type` = the integration id; headers
 * `hookwarden-integration`, `hookwarden-received-at` (Unix ms), `hookwarden-query` (raw query with
 * its "?", "" when none) and `hookwarden-headers` (JSON of the request headers, credentials redacted).
 *
 * The outbox dispatcher publishes one delivery at a time in arrival order and removes it only after
 * the broker's confirm, so order per integration holds and nothing confirmed is lost. At least once:
 * a node killed between the confirm and the removal, or a connection lost before the confirm
 * arrived, publishes that one delivery again — hence `messageId`.
 */
/** Resolves `downstream.url` (a literal, `env:` or `file:`) for the sink; a problem is a ConfigError naming the key, never the URL. */
export function amqpSinkOptions(downstream: AmqpSinkOptions, configFile: string, baseDir: string, env: NodeJS.ProcessEnv): AmqpSinkOptions {
  let url: string;
  try {
    url = resolveSecret(downstream.url, baseDir, env).trim();
  } catch (error) {
    throw new ConfigError(configFile, [{ path: 'downstream.url', message: error instanceof Error ? error.message : String(error) }]);
  }
  if (!/^amqps?:\/\/\S+$/.test(url)) throw new ConfigError(configFile, [{ path: 'downstream.url', message: 'does not hold an amqp:// or amqps:// URL' }]);
  return { ...downstream, url };
}

export class AmqpSink implements DeliverySink {
  readonly name = 'amqp';
  private readonly publisher: AmqpPublisher;

  constructor(private readonly options: AmqpSinkOptions) {
    this.publisher = new AmqpPublisher(options);
  }

  deliver(entry: OutboxEntry): Promise<void> {
    const routingKey = this.options.routingKey.replaceAll('{integration}', entry.integrationId);
    const contentType = entry.headers['content-type'];
    return this.publisher.publish(routingKey, entry.body, {
      messageId: entry.requestId,
      timestamp: Math.floor(entry.receivedAt / 1000),
      ...(contentType === undefined ? {} : { contentType }),
      appId: 'hookwarden',
      type: entry.integrationId,
      headers: {
        'hookwarden-integration': entry.integrationId,
        'hookwarden-received-at': entry.receivedAt,
        'hookwarden-query': entry.query,
        'hookwarden-headers': JSON.stringify(entry.headers),
      },
    });
  }

  close(): Promise<void> {
    return this.publisher.close();
  }
}
