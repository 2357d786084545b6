import { performance } from 'node:perf_hooks';
import type { DeliveryWrite } from '../delivery-record.js';
import type { PurgePolicy, PurgeResult, RedriveSelection } from './log-writer.js';
import { packBatch } from './packed-batch.js';
import { ThreadClient } from './thread-client.js';
import type { WriterInit, WriterOp } from './writer-protocol.js';

interface QueuedWrite {
  readonly write: DeliveryWrite;
  readonly resolve: (seq: number) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The most deliveries one commit takes. A backlog commits in several transactions rather than one
 * that grows with it: each 202 waits for its own commit only, and settling a batch (one response
 * written per delivery, in one event-loop turn) stays short.
 */
const MAX_BATCH = 256;

/** A writer-thread failure, with SQLite's message. */
export class StoreWriteError extends Error {
  override readonly name = 'StoreWriteError';
}

/**
 * The event loop's side of the writer thread. Writes of one event-loop turn go to the thread as one
 * batch, one transaction, one fsync; while a batch commits the next one gathers, so batches grow
 * with load, up to MAX_BATCH. A write's promise settles only after its transaction committed: the ingress answers
 * 202 on that, never before.
 */
export class StoreWriter {
  private readonly thread: ThreadClient;
  private queue: QueuedWrite[] = [];
  /** The batch being committed, settled when its reply is in. */
  private committing: Promise<void> | undefined;
  private scheduled = false;
  private closed = false;

  constructor(init: WriterInit) {
    this.thread = new ThreadClient('writer-thread', init, (message) => new StoreWriteError(message));
  }

  /** Starts the thread and resolves once it has opened the database: start-up is not a stalled commit. */
  async start(): Promise<void> {
    await this.request({ op: 'ping' });
  }

  /** Deliveries waiting for a commit (queued or in the batch being committed). */
  get backlog(): number {
    return this.queue.length + this.inFlightWrites;
  }

  /** How long the oldest request to the thread has been running, in ms; 0 when idle. */
  stalledMs(): number {
    const oldest = this.thread.oldestSentAt;
    return oldest === undefined ? 0 : performance.now() - oldest;
  }

  write(write: DeliveryWrite): Promise<number> {
    if (this.closed) return Promise.reject(new StoreWriteError('the store is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ write, resolve, reject });
      this.schedule();
    });
  }

  markSent(seqs: readonly number[]): Promise<void> {
    return this.request({ op: 'markSent', seqs }) as Promise<void>;
  }

  releaseHeld(integrationId: string): Promise<number> {
    return this.request({ op: 'release', integrationId }) as Promise<number>;
  }

  discardHeld(integrationId: string): Promise<number> {
    return this.request({ op: 'discard', integrationId }) as Promise<number>;
  }

  redrive(selection: RedriveSelection): Promise<{ matched: number; requeued: number }> {
    return this.request({ op: 'redrive', selection }) as Promise<{ matched: number; requeued: number }>;
  }

  /** Marks deliveries another node of the fleet accepted first as superseded (fleet-reconcile.ts); resolves to how many changed. */
  supersede(seqs: readonly number[]): Promise<number> {
    return this.request({ op: 'supersede', seqs }) as Promise<number>;
  }

  purge(policy: PurgePolicy): Promise<PurgeResult> {
    return this.request({ op: 'purge', policy }) as Promise<PurgeResult>;
  }

  /** Commits what is queued, then ends the thread. */
  async close(): Promise<void> {
    if (this.closed) return;
    while (this.queue.length > 0 || this.committing) await (this.committing ?? this.commitNext());
    this.closed = true;
    await this.thread.end({ op: 'close' } satisfies WriterOp);
  }

  private inFlightWrites = 0;

  private schedule(): void {
    if (this.scheduled || this.committing) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.commitNext();
    });
  }

  private commitNext(): Promise<void> {
    if (this.committing || this.queue.length === 0) return Promise.resolve();
    const batch = this.queue.splice(0, MAX_BATCH);
    this.inFlightWrites = batch.length;
    this.committing = this.commitBatch(batch);
    return this.committing;
  }

  private async commitBatch(batch: readonly QueuedWrite[]): Promise<void> {
    try {
      const packed = packBatch(batch.map((entry) => entry.write));
      const first = (await this.request({ op: 'commit', batch: packed }, [packed.bytes])) as number;
      batch.forEach((entry, index) => entry.resolve(first + index));
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    } finally {
      this.committing = undefined;
      this.inFlightWrites = 0;
      if (this.queue.length > 0) this.schedule();
    }
  }

  private request(op: WriterOp, transfer: readonly ArrayBuffer[] = []): Promise<unknown> {
    if (this.closed) return Promise.reject(new StoreWriteError('the store is closed'));
    return this.thread.request(op, transfer);
  }
}
