import { performance } from 'node:perf_hooks';
import type { Worker } from 'node:worker_threads';
import { startWorker, type StoreThread } from './start-worker.js';

/** What a store thread answers to request `id`: its result, or its error's message. */
export type ThreadReply<Result = unknown> = { readonly id: number; readonly ok: true; readonly result: Result } | { readonly id: number; readonly ok: false; readonly error: string };

interface Outstanding {
  readonly sentAt: number;
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: Error) => void;
}

/**
 * The event loop's requests to one store thread (the writer, the spill), matched to the replies by id. The thread is
 * started on first use and again after it died, when everything it had in hand fails with `failure`'s error. It keeps
 * the process alive only while it has work in hand: an engine that failed to start leaves nothing running.
 */
export class ThreadClient {
  private worker: Worker | undefined;
  private readonly outstanding = new Map<number, Outstanding>();
  private nextId = 1;

  constructor(
    private readonly thread: StoreThread,
    private readonly init: unknown,
    private readonly failure: (message: string) => Error,
  ) {}

  /** When the oldest request in hand was sent (performance.now()); undefined when the thread is idle. */
  get oldestSentAt(): number | undefined {
    let oldest: number | undefined;
    for (const entry of this.outstanding.values()) oldest = Math.min(oldest ?? Infinity, entry.sentAt);
    return oldest;
  }

  request(op: object, transfer: readonly ArrayBuffer[] = []): Promise<unknown> {
    const worker = this.started();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.outstanding.size === 0) worker.ref();
      this.outstanding.set(id, { sentAt: performance.now(), resolve, reject });
      worker.postMessage({ id, ...op }, transfer);
    });
  }

  /** Sends `closing` (the thread closes its connection and answers), then ends the thread; nothing when it never started. */
  async end(closing: object): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    await this.request(closing).catch(() => undefined);
    await worker.terminate();
    this.worker = undefined;
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker(this.thread, this.init);
    worker.on('message', (reply: ThreadReply) => {
      const entry = this.outstanding.get(reply.id);
      if (!entry) return;
      this.outstanding.delete(reply.id);
      if (this.outstanding.size === 0) worker.unref();
      if (reply.ok) entry.resolve(reply.result);
      else entry.reject(this.failure(reply.error));
    });
    const fail = (error: Error): void => {
      if (this.worker === worker) this.worker = undefined;
      for (const entry of this.outstanding.values()) entry.reject(this.failure(`the ${this.thread.replace('-', ' ')} ended: ${error.message}`));
      this.outstanding.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));
    this.worker = worker;
    return worker;
  }
}
