import { deliverySummary, type DeliverySummary } from '../../../../shared/contract/admin-api.js';
import type { Outcome } from '../../../../shared/model/outcomes.js';
import { ConsoleError } from '../console-error.js';
import type { AdminClient } from './admin-client.js';
import { backoffDelay, sleep, type BackoffPolicy } from './backoff.js';
import type { Exchange } from './node-transport.js';
import { SseParser } from './sse-parser.js';

export type StreamState = 'connecting' | 'live' | 'retrying';

export interface StreamFilter {
  readonly integration?: string | undefined;
  readonly outcome?: readonly Outcome[] | undefined;
}

export interface NodeStreamOptions {
  readonly client: Pick<AdminClient, 'stream' | 'url'>;
  readonly onDelivery: (delivery: DeliverySummary) => void;
  readonly onState: (state: StreamState, error?: string) => void;
  readonly filter?: StreamFilter;
  readonly backoff?: BackoffPolicy;
  /** A stream that stayed open this long (or brought events) resets the backoff. */
  readonly stableMs?: number;
  readonly random?: () => number;
}

export const DEFAULT_RECONNECT: BackoffPolicy = { initialMs: 500, maxMs: 30_000 };

/**
 * One node's `GET /stream`, kept open: reconnects with backoff and jitter, and resumes with
 * `Last-Event-ID` so that what the node logged while the console was away is replayed, not lost.
 * The node guarantees no duplicate on resume; deliveries at or below the last seq are skipped here
 * too, so a node that misbehaves cannot double-count in the console.
 */
export class NodeStream {
  private readonly controller = new AbortController();
  private running: Promise<void> | undefined;
  private lastSeq = -1;
  private lastEventIdText: string | undefined;

  constructor(private readonly options: NodeStreamOptions) {}

  get url(): string {
    return this.options.client.url;
  }

  /** The id the next connection resumes after, if any event arrived yet. */
  get lastEventId(): string | undefined {
    return this.lastEventIdText;
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.running;
  }

  private async run(): Promise<void> {
    const signal = this.controller.signal;
    const policy = this.options.backoff ?? DEFAULT_RECONNECT;
    let attempt = 0;
    while (!signal.aborted) {
      this.options.onState('connecting');
      let problem: string;
      try {
        const exchanged = await this.options.client.stream({
          lastEventId: this.lastEventIdText,
          integration: this.options.filter?.integration,
          outcome: this.options.filter?.outcome,
          signal,
        });
        this.options.onState('live');
        const openedAt = Date.now();
        const { error, events } = await this.consume(exchanged);
        if (events > 0 || Date.now() - openedAt >= (this.options.stableMs ?? 10_000)) attempt = 0;
        problem = error;
      } catch (error) {
        problem = error instanceof ConsoleError ? error.message : 'the event stream failed';
      }
      if (signal.aborted) break;
      this.options.onState('retrying', problem);
      await sleep(backoffDelay(policy, attempt++, this.options.random), signal);
    }
  }

  /** Reads events until the stream ends; resolves with why it ended and how many deliveries came. */
  private consume(exchanged: Exchange): Promise<{ error: string; events: number }> {
    const { response } = exchanged;
    let events = 0;
    const parser = new SseParser({
      onEvent: (event) => {
        if (event.event !== 'delivery') return;
        const seq = Number(event.id);
        if (!Number.isSafeInteger(seq) || seq <= this.lastSeq) return;
        this.lastSeq = seq;
        this.lastEventIdText = event.id;
        const parsed = deliverySummary.safeParse(safeJson(event.data));
        // A malformed event is skipped, and its id still counts: asking for it again would bring the same.
        if (!parsed.success) return;
        events++;
        try {
          this.options.onDelivery(parsed.data);
        } catch {
          // The consumer's trouble must not end the stream.
        }
      },
    });
    return new Promise((resolve) => {
      let done = false;
      const finish = (error: string): void => {
        if (done) return;
        done = true;
        exchanged.close();
        resolve({ error, events });
      };
      response.on('data', (chunk: Buffer) => {
        try {
          parser.push(chunk);
        } catch {
          finish('the node sent a malformed event stream');
        }
      });
      response.on('end', () => finish('the node closed the event stream'));
      response.on('error', () => finish(exchanged.failure()?.code === 'ETIMEDOUT' ? 'the node went silent (no heartbeat)' : 'the connection to the node was lost'));
      response.on('close', () => finish(exchanged.failure()?.code === 'ETIMEDOUT' ? 'the node went silent (no heartbeat)' : 'the connection to the node was lost'));
    });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
