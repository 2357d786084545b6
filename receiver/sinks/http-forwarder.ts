import { CircuitBreaker } from './circuit-breaker.js';
import type { DeliverySink, OutboxEntry } from './delivery-sink.js';

export interface HttpForwarderOptions {
  readonly url: string;
  readonly timeoutMs: number;
  readonly circuitFailures: number;
  readonly circuitOpenMs: number;
  readonly now?: () => number;
}

/**
 * Forwards accepted deliveries to an internal service (like `stripe listen --forward-to`). The
 * receiver has verified them, so only the body, its content type and Hookwarden's ids go along.
 * Only a 2xx counts as delivered.
 */
export class HttpForwarder implements DeliverySink {
  readonly name = 'http';
  private readonly breaker: CircuitBreaker;

  constructor(private readonly options: HttpForwarderOptions) {
    this.breaker = new CircuitBreaker({ failures: options.circuitFailures, openMs: options.circuitOpenMs, now: options.now ?? Date.now });
  }

  deliver(entry: OutboxEntry): Promise<void> {
    return this.breaker.run(async () => {
      let response: Response;
      try {
        response = await fetch(this.options.url, {
          method: 'POST',
          headers: {
            'content-type': entry.headers['content-type'] ?? 'application/octet-stream',
            'x-hookwarden-request-id': entry.requestId,
            'x-hookwarden-integration': entry.integrationId,
          },
          body: entry.body,
          signal: AbortSignal.timeout(this.options.timeoutMs),
          redirect: 'manual',
        });
      } catch (error) {
        const timedOut = error instanceof Error && error.name === 'TimeoutError';
        throw new Error(timedOut ? `no answer from the forward URL within ${this.options.timeoutMs} ms` : 'the forward URL is unreachable');
      }
      await response.body?.cancel();
      if (response.status < 200 || response.status > 299) throw new Error(`the forward URL answered ${response.status}`);
    });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
