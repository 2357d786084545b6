/**
 * The writer thread: owns the one connection that writes the delivery log, so that statement
 * execution, the commit's fsync and the WAL checkpoint never run on the event loop, and a disk that
 * stalls (fsfreeze) stalls only this thread while health and the admin API keep answering.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { BACKSTOP_CHECKPOINT_FRAMES } from './checkpoint-schedule.js';
import { LogWriter } from './log-writer.js';
import { limitStoreThreadCache } from './page-cache.js';
import { applySyncMode } from './sync-mode.js';
import type { WriterInit, WriterReply, WriterRequest } from './writer-protocol.js';

/** The WAL file is cut back to this size when it restarts after a backlog made it grow. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

const init = workerData as WriterInit;
const db = new Database(init.file);
applySyncMode(db, init.sync);
db.pragma(`busy_timeout = ${init.busyTimeoutMs}`);
db.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_FRAMES}`);
db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
limitStoreThreadCache(db);
const writer = new LogWriter(db, { masterKey: Buffer.from(init.masterKey), redact: init.redact });
const port = parentPort;
if (!port) throw new Error('writer-thread runs only as a worker');

function run(request: WriterRequest): unknown {
  switch (request.op) {
    case 'commit':
      return writer.commitPacked(request.batch);
    case 'markSent':
      return writer.markSent(request.seqs);
    case 'release':
      return writer.releaseHeld(request.integrationId);
    case 'discard':
      return writer.discardHeld(request.integrationId);
    case 'supersede':
      return writer.supersede(request.seqs);
    case 'redrive':
      return writer.redrive(request.selection);
    case 'purge':
      return writer.purge(request.policy);
    case 'ping':
      return undefined;
    case 'close':
      db.close();
      return undefined;
  }
}

port.on('message', (request: WriterRequest) => {
  let reply: WriterReply;
  try {
    reply = { id: request.id, ok: true, result: run(request) };
  } catch (error) {
    reply = { id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
});
