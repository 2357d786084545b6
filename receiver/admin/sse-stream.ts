import type { ServerResponse } from 'node:http';
import type { DeliverySummary, StreamQuery } from '../../shared/contract/admin-api.js';
import type { AdminQueries } from './admin-service.js';

export interface StreamOptions {
  /** A comment line this often keeps proxies from closing an idle stream and tells the client the node is alive. */
  readonly heartbeatMs: number;
  /** Bytes a consumer may leave unread in the socket's buffer before it is cut off. */
  readonly maxBufferedBytes: number;
  /** Deliveries read from the log per step of a resume. */
  readonly replayPageSize: number;
  /** How long a resuming consumer may take to read one page. */
  readonly drainTimeoutMs: number;
  readonly random: () => number;
}

export const DEFAULT_STREAM_OPTIONS: StreamOptions = {
  heartbeatMs: 15_000,
  maxBufferedBytes: 1024 * 1024,
  replayPageSize: 200,
  drainTimeoutMs: 30_000,
  random: Math.random,
};

/** The log to resume from, and live deliveries; `onLost` says the live side skipped some (the stream then ends). */
export interface StreamSource extends Pick<AdminQueries, 'deliveriesAfter'> {
  subscribe(listener: (delivery: DeliverySummary) => void, onLost?: () => void): () => void;
}

/** Every stream gets the same summary object from the hub: it is serialised once, however many streams send it. */
const serialised = new WeakMap<DeliverySummary, string>();
function eventData(delivery: DeliverySummary): string {
  let text = serialised.get(delivery);
  if (text === undefined) {
    text = JSON.stringify(delivery);
    serialised.set(delivery, text);
  }
  return text;
}

/**
 * Server-sent events, one per delivery (`id: <seq>`). Without `resumeAfter` the stream starts live.
 * With it, the log is replayed first, page by page at the consumer's pace, and the switch to live
 * happens in the same synchronous step as the last (short) page is read. That leaves no gap: a
 * delivery is in the log before it is published, so whatever was published before that read is in
 * it, and whatever is published after it arrives live. Live events at or below the last seq sent
 * are dropped, so there is no duplicate either.
 *
 * A consumer that does not keep up is cut off rather than buffered for: it reconnects with
 * Last-Event-ID and resumes from the log, which costs the node nothing to keep.
 *
 * Returns a function that ends the stream (used on shutdown).
 */
export function openDeliveryStream(
  response: ServerResponse,
  source: StreamSource,
  filter: StreamQuery,
  resumeAfter: number | undefined,
  options: StreamOptions,
): () => void {
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    // Reverse proxies (nginx) would otherwise buffer the stream.
    'x-accel-buffering': 'no',
  });
  response.socket?.setNoDelay(true);

  let open = true;
  let live = resumeAfter === undefined;
  let lastSeq = resumeAfter ?? Number.NEGATIVE_INFINITY;
  const outcomes = filter.outcome && filter.outcome.length > 0 ? new Set<string>(filter.outcome) : undefined;

  const cutOff = (): void => {
    if (open) response.destroy();
  };
  const write = (text: string): void => {
    if (!open || response.destroyed) return;
    response.write(text);
    if (response.writableLength > options.maxBufferedBytes) cutOff();
  };
  const offer = (delivery: DeliverySummary): void => {
    if (delivery.seq <= lastSeq) return;
    lastSeq = delivery.seq;
    if (filter.integration !== undefined && delivery.integrationId !== filter.integration) return;
    if (outcomes && !outcomes.has(delivery.outcome)) return;
    if (filter.sample < 1 && options.random() >= filter.sample) return;
    write(`id: ${delivery.seq}\nevent: delivery\ndata: ${eventData(delivery)}\n\n`);
  };

  // Subscribed before the replay reads anything; events are taken only once the replay has caught up.
  const unsubscribe = source.subscribe((delivery) => {
    if (!live || !open) return;
    // This may run inside the ingress's publish: it must never throw into it.
    try {
      offer(delivery);
    } catch {
      cutOff();
    }
  }, cutOff);
  const heartbeat = setInterval(() => write(': heartbeat\n\n'), options.heartbeatMs);
  heartbeat.unref();
  response.on('close', () => {
    open = false;
    unsubscribe();
    clearInterval(heartbeat);
  });

  write(': connected\n\n');
  if (!live) {
    const replay = async (): Promise<void> => {
      while (open) {
        const page = source.deliveriesAfter(lastSeq, options.replayPageSize);
        for (const delivery of page) offer(delivery);
        if (page.length < options.replayPageSize) {
          live = true;
          return;
        }
        if (response.writableNeedDrain && !(await drained(response, options.drainTimeoutMs))) return cutOff();
      }
    };
    replay().catch(cutOff);
  }

  return () => {
    if (!open) return;
    // A clean end, then the socket goes too: a closing server must not wait for keep-alive.
    response.once('finish', () => response.socket?.destroy());
    response.end();
  };
}

function drained(response: ServerResponse, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (result: boolean) => () => {
      clearTimeout(timer);
      response.off('drain', onDrain);
      response.off('close', onClose);
      resolve(result);
    };
    const onDrain = done(true);
    const onClose = done(false);
    const timer = setTimeout(done(false), timeoutMs);
    response.on('drain', onDrain);
    response.on('close', onClose);
  });
}
