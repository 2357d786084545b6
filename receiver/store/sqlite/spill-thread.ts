/**
 * The spill thread: copies the live replay keys of the log's rows into replay-spill.db (replay-spill.ts says why the
 * spill exists), so that writing millions of keys in one transaction never runs on the event loop and never holds
 * receiver.db's write lock, which every 202's commit waits for.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { STORED_KEY_BYTES } from '../dedupe/dedupe-index.js';
import { DigestFilter } from '../dedupe/digest-filter.js';
import { releaseBuffer } from '../dedupe/release-buffer.js';
import { DIGEST_BYTES } from '../dedupe/replay-digest.js';
import { makesFilterAgain } from '../dedupe/spill-filter-policy.js';
import { runsToMerge, type SpillRun } from '../dedupe/spill-merge-policy.js';
import { limitStoreThreadCache } from './page-cache.js';
import { MAX_SPILL_RUNS, lastLogSeqSql, readSpillMeta } from './spill-file.js';
import type { SpillExtended, SpillInit, SpillReply, SpillRequest } from './spill-protocol.js';
import { SPILL_THREAD_NICE, lowerThreadPriority } from './thread-priority.js';

/** Room in a new filter beyond the keys it is made with: the keys of later extends go in until it is full. */
const FILTER_HEADROOM = 1.5;
const MIN_FILTER_KEYS = 1 << 16;
/** Digests read per slice while a filter is made: 1 MB a slice. */
const FILTER_SLICE_KEYS = 65_536;

const init = workerData as SpillInit;
const port = parentPort;
if (!port) throw new Error('spill-thread runs only as a worker');
// Background work: the event loop and the writer come first, but it must keep up with them (thread-priority.ts).
lowerThreadPriority(SPILL_THREAD_NICE);
const db = new Database(init.spillFile, { fileMustExist: true });
// The spill is derived data: a commit lost to a power cut is rebuilt from the log, and WAL keeps the file consistent
// without an fsync per commit.
db.pragma('synchronous = NORMAL');
limitStoreThreadCache(db);
// The sort of an extend's keys goes to temporary files past the page cache, so the thread's memory stays bounded.
db.pragma('temp_store = FILE');
/**
 * Rows of the log read by one statement. Each statement is a read transaction of its own: a reader's snapshot stops
 * every checkpoint of receiver.db at its mark, and an extend read in one statement held it for as long as the extend
 * ran (seconds, at this thread's low priority on a busy core). Under load the WAL then grew to 190 MB, and the first
 * commit after the extend copied all of it in the writer's backstop checkpoint: 202s stalled for up to half a second.
 */
const LOG_PAGE_ROWS = 4096;
/**
 * The keys of the log's rows with after < seq <= through whose latest key is live at `now` (encodeReplayKeys), a page
 * at a time, each a short read transaction. Read through a read-only connection of the thread's own, opened for each
 * extend: better-sqlite3 has no URI filenames, so receiver.db cannot be attached read-only, and the thread never
 * writes the log.
 */
let log: { readonly page: Database.Statement<[number, number, number]>; readonly pageBytes: Database.Statement<[number, number, number]> } | undefined;

/** A page of the log's rows: how many, and the last one's seq (null for none). */
interface LogPage {
  readonly rows: number;
  readonly last: number | null;
}

/** The pages `read` takes of the log's rows after `after`, each from the last seq of the one before, until one is short. */
function* logPages<Page extends LogPage>(after: number, read: (from: number) => Page): Generator<Page> {
  for (let from = after; ; ) {
    const page = read(from);
    yield page;
    if (page.rows < LOG_PAGE_ROWS || page.last === null) return;
    from = page.last;
  }
}

function openLog(): NonNullable<typeof log> {
  if (!log) throw new Error('the log is read only during an extend');
  return log;
}

function* logKeys(after: number, through: number, now: number): Generator<Buffer> {
  const { page } = openLog();
  const read = (from: number) => {
    const rows = page.all(from, through, now) as [number, Buffer][];
    return { rows: rows.length, last: rows.at(-1)?.[0] ?? null, keys: rows.map(([, keys]) => keys) };
  };
  for (const { keys } of logPages(after, read)) yield* keys;
}
/**
 * The filter of every digest spilled, shared with the event loop, and the keys added to it since it was made (with
 * those it was made with). Made at the first extend, and again as spill-filter-policy.ts says; until then it
 * keeps the digests that expired since, which only costs the loop a read now and then. While an extend replaces it,
 * the loop still holds the one before (`replaced`) until the reply: the extend's digests go into both.
 */
let filter: DigestFilter | undefined;
let replaced: DigestFilter | undefined;
let filterKeys = 0;
db.table('logged_keys', {
  columns: ['digest', 'until'],
  parameters: ['after', 'through', 'now'],
  *rows(after: unknown, through: unknown, now: unknown) {
    const at = now as number;
    for (const stored of logKeys(after as number, through as number, at)) {
      for (let offset = 0; offset + STORED_KEY_BYTES <= stored.length; offset += STORED_KEY_BYTES) {
        const until = stored.readDoubleLE(offset + DIGEST_BYTES);
        if (until <= at) continue;
        const digest = stored.subarray(offset, offset + DIGEST_BYTES);
        // Before the transaction commits, so that the loop's filter holds every digest the spill holds once it has.
        filter?.add(digest);
        replaced?.add(digest);
        filterKeys++;
        yield [digest, until];
      }
    }
  },
});

/** A run of its own, in digest order: appended at the B-tree's right edge, each page written once. */
const insertRun = db.prepare(`
  INSERT INTO spilled (run, digest, until)
    SELECT :run, digest, until FROM logged_keys(:after, :through, :now) WHERE true ORDER BY digest
  ON CONFLICT (run, digest) DO UPDATE SET until = max(until, excluded.until)`);
/**
 * The live keys of the runs `merged` (a JSON array of run numbers) as one new run: a digest in several keeps its latest
 * expiry. Numbered above every run, so it too is written at the B-tree's right edge: the runs' order in time is their
 * expiry order (spill-merge-policy.ts), not their numbers.
 */
const mergeRuns = db.prepare(`
  INSERT INTO spilled (run, digest, until)
    SELECT :run, digest, max(until) FROM spilled WHERE run IN (SELECT value FROM json_each(:merged)) AND until > :now
    GROUP BY digest ORDER BY digest`);
const recordRun = db.prepare(`
  INSERT INTO spill_runs (run, max_until, keys) SELECT :run, max(until), count(*) FROM spilled WHERE run = :run HAVING count(*) > 0`);
const mergedRuns = db.prepare('DELETE FROM spilled WHERE run IN (SELECT value FROM json_each(:merged))');
const mergedRunRecords = db.prepare('DELETE FROM spill_runs WHERE run IN (SELECT value FROM json_each(:merged))');
const runRecords = db.prepare('SELECT run, keys, max_until AS maxUntil FROM spill_runs');
const expiredRuns = db.prepare('DELETE FROM spilled WHERE run IN (SELECT run FROM spill_runs WHERE max_until <= :now)');
const expiredRunRecords = db.prepare('DELETE FROM spill_runs WHERE max_until <= :now');
const nextRun = db.prepare('SELECT coalesce(max(run), 0) + 1 FROM spill_runs').pluck();
const record = db.prepare(`
  UPDATE spill_meta SET through_seq = :through, live_until = (SELECT max(max_until) FROM spill_runs), keys = (SELECT coalesce(sum(keys), 0) FROM spill_runs)`);
const runs = db.prepare('SELECT run FROM spill_runs ORDER BY run').pluck();

/**
 * Adds the live keys of the log's rows after < seq <= through as a new run, drops the runs that expired, and merges the
 * runs the merge policy picks (spill-merge-policy.ts).
 */
function appendRun(after: number, through: number, now: number): void {
  if (through > after) {
    const run = nextRun.get() as number;
    insertRun.run({ run, after, through, now });
    recordRun.run({ run });
  }
  expiredRuns.run({ now });
  expiredRunRecords.run({ now });
  const toMerge = (): readonly SpillRun[] => runsToMerge(runRecords.all() as SpillRun[], MAX_SPILL_RUNS, now);
  for (let group = toMerge(); group.length > 0; group = toMerge()) {
    const run = nextRun.get() as number;
    const merged = JSON.stringify(group.map((member) => member.run));
    mergeRuns.run({ run, merged, now });
    mergedRuns.run({ merged });
    mergedRunRecords.run({ merged });
    recordRun.run({ run });
  }
}
/**
 * An upper bound of the keys an extend adds (the live rows' keys, some of them expired), to size a new filter: summed by
 * SQLite a page of rows at a time, each a short read transaction as logKeys's.
 */
function incomingKeys(after: number, through: number, now: number): number {
  const { pageBytes } = openLog();
  const read = (from: number) => {
    const [rows, last, bytes] = pageBytes.get(from, through, now) as [number, number | null, number | null];
    return { rows, last, bytes: bytes ?? 0 };
  };
  let bytes = 0;
  for (const page of logPages(after, read)) bytes += page.bytes;
  return bytes / STORED_KEY_BYTES;
}
/**
 * The spill's digests in digest order, a slice at a time, back to back in one blob (group_concat of blobs passes their
 * bytes through, see replay-log-source.ts): with a Buffer per digest (and atomic writes), a filter of 6M took 17.7-19.8 s,
 * 4.1-4.3 s so.
 */
const spilledDigests = db.prepare(`SELECT CAST(group_concat(digest, '') AS BLOB) FROM
  (SELECT digest FROM spilled WHERE run = ? AND digest > ? ORDER BY digest LIMIT ${FILTER_SLICE_KEYS})`).pluck();

/**
 * A new filter of the digests the spill holds, for `keys` keys with headroom. Read before the extend's transaction
 * (only this thread writes the spill), a slice a turn of the thread's loop: each slice is a Buffer off V8's heap, and
 * read in one synchronous run they stood as garbage until V8's external-memory limit forced a collection, which left
 * ~70 MB more RSS in the thread's malloc arena after a 5M-key make. Between turns they are given back at once.
 */
async function makeFilter(keys: number): Promise<DigestFilter> {
  // Bounded by configuration: a spill of more keys than the filter is sized for only costs more reads of the file.
  const made = DigestFilter.forKeys(Math.min(init.maxFilterKeys, Math.max(MIN_FILTER_KEYS, Math.ceil(keys * FILTER_HEADROOM))));
  for (const run of runs.all() as number[]) {
    for (let after = Buffer.alloc(0), slice = spilledDigests.get(run, after) as Buffer | null; slice; slice = spilledDigests.get(run, after) as Buffer | null) {
      made.fillBeforeSharing(slice);
      after = Buffer.from(slice.subarray(-DIGEST_BYTES));
      if (slice.buffer instanceof ArrayBuffer && slice.byteOffset === 0 && slice.buffer.byteLength === slice.length) releaseBuffer(slice.buffer);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return made;
}

async function extend(through: number | undefined, now: number): Promise<SpillExtended> {
  const connection = new Database(init.logFile, { readonly: true, fileMustExist: true });
  // It reads the log once, in seq order: a page cache would only hold what was read.
  limitStoreThreadCache(connection);
  try {
    const lastSeq = connection.prepare(lastLogSeqSql('main')).pluck().get() as number | null;
    const page = `SELECT seq, keys FROM replay_log WHERE seq > ? AND seq <= ? AND until > ? ORDER BY seq LIMIT ${LOG_PAGE_ROWS}`;
    log = { page: connection.prepare(page).raw(), pageBytes: connection.prepare(`SELECT count(*), max(seq), sum(length(keys)) FROM (${page})`).raw() };
    // Read outside the transaction: only this thread writes the spill, one extend at a time.
    const before = readSpillMeta(db).extent;
    const end = lastSeq ?? -Infinity;
    // The log ends before what the spill covers only when its seqs started again: a purge that emptied an idle node's
    // log lets the next delivery take seq 1. Its rows are then read from the start (a key added twice is kept once).
    const after = end < before.throughSeq ? -Infinity : before.throughSeq;
    // Never past the log's end: a seq the log does not hold yet may still be written, and belongs to a later extend.
    // Every seq up to the log's end is committed: the writer commits in seq order.
    const throughSeq = Math.max(after, Math.min(through ?? Infinity, end));
    const incoming = throughSeq > after ? incomingKeys(after, throughSeq, now) : 0;
    if (makesFilterAgain({ capacity: filter?.capacity, maxKeys: init.maxFilterKeys, filterKeys, spillKeys: before.keys, incoming })) {
      replaced = filter;
      filter = await makeFilter(before.keys + incoming);
      filterKeys = before.keys;
    }
    const extent = db.transaction(() => {
      appendRun(after, throughSeq, now);
      record.run({ through: nullable(throughSeq) });
      return { extent: readSpillMeta(db).extent, filter: (filter as DigestFilter).buffer };
    }).immediate();
    // An extend into a large spill rewrites most of its pages into the WAL: copied back, the WAL's file is emptied
    // rather than left on disk at the size of the spill until the next extend.
    db.pragma('wal_checkpoint(TRUNCATE)');
    return extent;
  } finally {
    log = undefined;
    replaced = undefined;
    connection.close();
  }
}

const nullable = (value: number): number | null => (Number.isFinite(value) ? value : null);

async function run(request: SpillRequest): Promise<SpillExtended | undefined> {
  switch (request.op) {
    case 'extend':
      return extend(request.through, request.now);
    case 'close':
      db.close();
      return undefined;
  }
}

// The event loop's side sends one request at a time (replay-spill.ts): an extend's turns never interleave with another's.
port.on('message', async (request: SpillRequest) => {
  let reply: SpillReply;
  try {
    reply = { id: request.id, ok: true, result: await run(request) };
  } catch (error) {
    reply = { id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
});
