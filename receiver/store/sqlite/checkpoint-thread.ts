/**
 * The checkpoint thread: copies committed WAL frames into the database file from a connection of its
 * own, so that a commit on the writer thread does not stall (with every 202 waiting on it) while a
 * checkpoint writes and fsyncs the database file inside it. PASSIVE never takes the write lock, so
 * commits go on meanwhile; the writer keeps a large auto-checkpoint as a backstop (writer-thread.ts).
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import type { CheckpointInit, CheckpointReport, CheckpointRequest } from './checkpoint-protocol.js';
import { nextCheckpointDelayMs } from './checkpoint-schedule.js';
import { limitStoreThreadCache } from './page-cache.js';
import { applySyncMode } from './sync-mode.js';
import { CHECKPOINT_THREAD_NICE, lowerThreadPriority } from './thread-priority.js';

const init = workerData as CheckpointInit;
const port = parentPort;
if (!port) throw new Error('checkpoint-thread runs only as a worker');
lowerThreadPriority(CHECKPOINT_THREAD_NICE);
const db = new Database(init.file);
// A checkpoint syncs the WAL before it copies and the database file after, as the writer's own would.
applySyncMode(db, init.sync);
limitStoreThreadCache(db);
const report = (message: CheckpointReport): void => port.postMessage(message);

let failing = false;
let timer: NodeJS.Timeout | undefined;
let walFrames = 0;
let delayMs = init.intervalMs;

function checkpoint(): void {
  const framesBefore = walFrames;
  try {
    // One row: busy, log (frames in the WAL), checkpointed; log is -1 while another checkpoint (the backstop's) runs, after which the WAL restarts.
    const [result] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
    walFrames = Math.max(0, result?.log ?? 0);
    if (failing) report({ kind: 'recovered' });
    failing = false;
  } catch (error) {
    if (!failing) report({ kind: 'failed', error: error instanceof Error ? error.message : String(error) });
    failing = true;
  }
  // A WAL that restarted meanwhile grew by at least what it holds now.
  const newFrames = walFrames >= framesBefore ? walFrames - framesBefore : walFrames;
  delayMs = nextCheckpointDelayMs(init.intervalMs, { walFrames, newFrames, sinceMs: delayMs });
  timer = setTimeout(checkpoint, delayMs);
}

port.on('message', (request: CheckpointRequest) => {
  if (request.op !== 'close') return;
  clearTimeout(timer);
  db.close();
  port.close();
});
report({ kind: 'ready' });
timer = setTimeout(checkpoint, init.intervalMs);
