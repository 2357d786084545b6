import type { ChannelModel, ConfirmChannel, Options } from 'amqplib';

export interface AmqpPublisherOptions {
  readonly url: string;
  readonly exchange: string;
  /** A publish without the broker's confirm for this long fails (and is sent again later). */
  readonly confirmTimeoutMs: number;
  readonly connectTimeoutMs: number;
}

/** A failed publish; its message never contains the URL's credentials. */
export class AmqpPublishError extends Error {
  override readonly name = 'AmqpPublishError';
}

/**
 * One connection and one confirm channel to RabbitMQ, opened when first needed and dropped on any
 * failure; the next publish opens them again, so the caller's retry backoff paces the reconnects.
 * A publish resolves only when the broker confirmed it — for a persistent message to a durable
 * queue, once it is on disk — and fails when the broker returned it as unroutable: a delivery no
 * queue would keep must stay in the outbox, not vanish behind an ack.
 */
export class AmqpPublisher {
  private channel: Promise<ConfirmChannel> | undefined;
  private connection: ChannelModel | undefined;
  /** messageIds the broker returned (mandatory, no bound queue); checked when their confirm arrives. */
  private readonly returned = new Set<string>();
  private closed = false;

  constructor(private readonly options: AmqpPublisherOptions) {}

  async publish(routingKey: string, body: Buffer, properties: Options.Publish & { messageId: string }): Promise<void> {
    if (this.closed) throw new AmqpPublishError('the publisher is closed');
    const channel = await this.open();
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new AmqpPublishError(`no confirm from the broker within ${this.options.confirmTimeoutMs} ms`)), this.options.confirmTimeoutMs);
        try {
          channel.publish(this.options.exchange, routingKey, body, { ...properties, mandatory: true, persistent: true }, (error: unknown) => {
            clearTimeout(timer);
            if (error) reject(new AmqpPublishError(`the broker refused the message: ${this.redact(error)}`));
            else if (this.returned.delete(properties.messageId)) reject(new AmqpPublishError(`no queue is bound to exchange "${this.options.exchange}" for routing key "${routingKey}"`));
            else resolve();
          });
        } catch (error) {
          clearTimeout(timer);
          reject(new AmqpPublishError(this.redact(error)));
        }
      });
    } catch (error) {
      // A channel that timed out or broke may still confirm late; start again on a fresh one.
      if (!(error instanceof AmqpPublishError && error.message.startsWith('no queue is bound'))) this.drop();
      throw error;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const connection = this.connection;
    this.drop();
    await connection?.close().catch(() => undefined);
  }

  private open(): Promise<ConfirmChannel> {
    this.channel ??= this.connect().catch((error: unknown) => {
      this.drop();
      throw new AmqpPublishError(`cannot reach the broker: ${this.redact(error)}`);
    });
    return this.channel;
  }

  private async connect(): Promise<ConfirmChannel> {
    // Loaded on the first publish: a node without an AMQP downstream never pays for the client at start-up.
    const { connect } = await import('amqplib');
    const connection = await connect(this.options.url, { timeout: this.options.connectTimeoutMs });
    this.connection = connection;
    // Without listeners an 'error' would throw; 'close' follows every error, and the next publish reconnects.
    connection.on('error', () => undefined);
    connection.on('close', () => {
      if (this.connection === connection) this.drop();
    });
    const channel = await connection.createConfirmChannel();
    channel.on('error', () => undefined);
    channel.on('close', () => {
      if (this.connection === connection) this.drop();
    });
    channel.on('return', (message: { properties: { messageId?: unknown } }) => {
      if (typeof message.properties.messageId === 'string') this.returned.add(message.properties.messageId);
    });
    // A missing exchange is a configuration error the operator must see, not a silent loss.
    await channel.checkExchange(this.options.exchange);
    return channel;
  }

  /** Forgets the connection (closing it if still open); the next publish connects again. */
  private drop(): void {
    const connection = this.connection;
    this.connection = undefined;
    this.channel = undefined;
    this.returned.clear();
    void connection?.close().catch(() => undefined);
  }

  private redact(error: unknown): string {
    const text = error instanceof Error ? error.message : String(error);
    const password = passwordOf(this.options.url);
    return (password ? text.split(password).join('***') : text).replace(/(amqps?:\/\/)[^@/\s]*@/gi, '$1***@');
  }
}

function passwordOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).password);
  } catch {
    return '';
  }
}
