import type { Worker } from 'node:worker_threads';
import type { Logger } from '../../observability/logger.js';
import type { CheckpointInit, CheckpointReport, CheckpointRequest } from './checkpoint-protocol.js';
import { startWorker } from './start-worker.js';

/**
 * The event loop's side of the checkpoint thread (checkpoint-thread.ts). Nothing waits for it: a
 * checkpoint that fails or a thread that dies is logged, and the writer's backstop auto-checkpoint
 * keeps the WAL bounded meanwhile.
 */
export class Checkpointer {
  private worker: Worker | undefined;
  private closing = false;

  constructor(
    private readonly init: CheckpointInit,
    private readonly logger: Logger,
  ) {}

  /** Resolves once the thread has opened its connection, or has failed to (logged: the node runs on the backstop). */
  start(): Promise<void> {
    const worker = startWorker('checkpoint-thread', this.init);
    this.worker = worker;
    // Checkpoints on a timer must not keep a process alive that has nothing else to do.
    worker.unref();
    return new Promise((resolve) => {
      worker.on('message', (report: CheckpointReport) => {
        if (report.kind === 'ready') resolve();
        else if (report.kind === 'failed') this.logger.warn('WAL checkpoint failed; the writer checkpoints meanwhile', { error: report.error });
        else if (report.kind === 'recovered') this.logger.info('WAL checkpoints succeed again');
      });
      worker.once('error', (error) => this.logger.error('the checkpoint thread failed; the writer checkpoints meanwhile', { error: error.message }));
      worker.once('exit', () => {
        if (!this.closing) this.logger.error('the checkpoint thread ended; the writer checkpoints meanwhile');
        this.worker = undefined;
        resolve();
      });
    });
  }

  /** Ends the thread after the checkpoint it may be in. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.closing = true;
    // Held until it has closed its connection: a shutdown that awaited an unreferenced thread would end before it.
    worker.ref();
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ op: 'close' } satisfies CheckpointRequest);
    await exited;
  }
}
