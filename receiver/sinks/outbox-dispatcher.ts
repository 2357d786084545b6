import type { Logger } from '../observability/logger.js';
import { errorText } from '../observability/logger.js';
import type { CapturedRequest } from '../store/capture-codec.js';
import type { Outbox } from '../store/sqlite/outbox.js';
import { CircuitOpenError } from './circuit-breaker.js';
import type { DeliverySink, OutboxEntry } from './delivery-sink.js';

export interface DispatcherOptions {
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly logger: Logger;
  readonly batchSize?: number;
  readonly random?: () => number;
}

/** A row read from the outbox: an entry, or a row whose capture is gone. */
type OutboxRow = ReturnType<Outbox['next']>[number];

interface Failure {
  readonly requestId: string;
  readonly error: unknown;
}

/** With nothing to do it looks again this often even without a wake-up, e.g. after a release by another process. */
const IDLE_POLL_MS = 1_000;
/**
 * How long deliveries a repeat-harmless sink took may stay in the outbox before one commit takes them
 * all out. Well under the checkpoint interval: a row's page marked sent after a checkpoint copied it
 * is written twice more (measured with checkpoints every 200 ms: 300-600 B more per delivery at a
 * 250 ms interval, within the noise at 50 ms), and still one commit and fsync per 50 ms instead of
 * one per dispatched batch.
 */
const RECORD_EVERY_MS = 50;

/** Exponential backoff with full jitter: retries from many nodes do not arrive in lockstep. */
export function backoffMs(failures: number, initialMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(failures - 1, 30));
  return Math.max(1, Math.round(random() * ceiling));
}

/**
 * Moves accepted deliveries from the outbox to the sink, one at a time in arrival order (a sink
 * with `deliverAll` takes each batch at once, and its batches leave the outbox together every
 * RECORD_EVERY_MS). A row leaves the outbox only after the sink has the delivery: a crash in
 * between sends it again (at least once), never loses it. A failure retries the same row after a backoff.
 */
export class OutboxDispatcher {
  private stopped = false;
  private running: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private failures = 0;
  /** When the oldest delivery handed over but not yet recorded as sent was handed over (performance.now()). */
  private unrecordedSince = 0;

  constructor(
    private readonly outbox: Outbox,
    private readonly sink: DeliverySink,
    private readonly options: DispatcherOptions,
  ) {}

  start(): void {
    this.running ??= this.loop();
  }

  /**
   * A delivery was committed ready to go: look now. With `capture` (as the file holds it) it goes
   * out without being read back from the file and unsealed.
   */
  ready(seq: number, capture: CapturedRequest | undefined): void {
    if (capture) this.outbox.remember(seq, capture);
    this.wake();
  }

  /** New rows are ready: look now instead of at the next poll. */
  wake(): void {
    this.wakeUp?.();
  }

  /** Stops after the delivery in hand, records what was handed over, then closes the sink (the dispatcher owns it). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.running;
    await this.sink.close();
  }

  private async loop(): Promise<void> {
    const batchSize = this.options.batchSize ?? 100;
    // A sink that makes a repeat harmless lets the batches it took leave the outbox together, one
    // commit (a write and an fsync on the writer thread) per RECORD_EVERY_MS instead of one per batch.
    const deferRecording = this.sink.deliverAll !== undefined;
    while (!this.stopped) {
      if (this.outbox.unrecordedCount > 0 && performance.now() - this.unrecordedSince >= RECORD_EVERY_MS) await this.record();
      const entries = this.outbox.next(batchSize);
      if (entries.length === 0) {
        await this.pause(this.outbox.unrecordedCount > 0 ? RECORD_EVERY_MS - (performance.now() - this.unrecordedSince) : IDLE_POLL_MS, true);
        continue;
      }
      const done: number[] = [];
      let failed = this.sink.deliverAll ? await this.deliverAll(this.sink.deliverAll.bind(this.sink), entries, done) : await this.deliverEach(entries, done);
      // After a failure, reading past what was done could skip rows that failed before them: that batch is recorded at once.
      if (deferRecording && !failed) this.handedOver(done);
      // One commit for the batch: a crash (or a stuck store) before it commits sends these again:
      // at least once, never lost.
      else if (done.length > 0) await this.outbox.remove(done).catch((error: unknown) => (failed ??= { requestId: '', error }));
      if (failed) await this.backOff(failed.requestId, failed.error);
    }
    await this.record();
  }

  private handedOver(seqs: readonly number[]): void {
    if (seqs.length === 0) return;
    if (this.outbox.unrecordedCount === 0) this.unrecordedSince = performance.now();
    this.outbox.handedOver(seqs);
  }

  /** A failed commit keeps them handed over: the next try comes after another interval, and a crash meanwhile only sends them again. */
  private async record(): Promise<void> {
    try {
      await this.outbox.recordHandedOver();
    } catch (error) {
      this.unrecordedSince = performance.now();
      this.options.logger.warn('recording deliveries as sent failed; will retry', { sink: this.sink.name, error: errorText(error), retryInMs: RECORD_EVERY_MS });
    }
  }

  /** One at a time, stopping at the first failure; the seqs delivered go to `done`. */
  private async deliverEach(entries: readonly OutboxRow[], done: number[]): Promise<Failure | undefined> {
    for (const entry of entries) {
      if (this.stopped) break;
      if (!this.deliverable(entry, done)) continue;
      try {
        await this.sink.deliver(entry);
        done.push(entry.seq);
        this.failures = 0;
      } catch (error) {
        return { requestId: entry.requestId, error };
      }
    }
    return undefined;
  }

  /** The whole batch in one call: all of it is done, or all of it is sent again (the sink makes repeats harmless). */
  private async deliverAll(deliverAll: (entries: readonly OutboxEntry[]) => Promise<void>, entries: readonly OutboxRow[], done: number[]): Promise<Failure | undefined> {
    const deliverable = entries.filter((entry) => this.deliverable(entry, done));
    try {
      await deliverAll(deliverable);
    } catch (error) {
      return { requestId: deliverable[0]?.requestId ?? '', error };
    }
    for (const entry of deliverable) done.push(entry.seq);
    this.failures = 0;
    return undefined;
  }

  /** An entry whose capture is gone cannot be sent: it leaves the outbox (added to `done`) with an error logged. */
  private deliverable(entry: OutboxRow, done: number[]): entry is OutboxEntry {
    if (entry.body !== undefined) return true;
    this.options.logger.error('outbox entry without its capture; dropped from the outbox', { requestId: entry.requestId });
    done.push(entry.seq);
    return false;
  }

  private async backOff(requestId: string, error: unknown): Promise<void> {
    this.failures++;
    const wait =
      error instanceof CircuitOpenError
        ? error.retryAfterMs
        : backoffMs(this.failures, this.options.initialBackoffMs, this.options.maxBackoffMs, this.options.random ?? Math.random);
    this.options.logger.warn('downstream delivery failed; will retry', { sink: this.sink.name, requestId, error: errorText(error), retryInMs: wait });
    await this.pause(wait, false);
  }

  /** Sleeps `ms`; `wake()` cuts an idle wait short, while a backoff gives way only to `stop()`. */
  private pause(ms: number, wakeable: boolean): Promise<void> {
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.wakeUp = () => {
        if (wakeable || this.stopped) finish();
      };
    });
  }
}
