import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { errorText, type Logger } from '../../observability/logger.js';
import { limitStoreThreadCache } from '../sqlite/page-cache.js';
import { createSpillSchema, lastLogSeqSql, readSpillMeta, SPILL_FILE_NAME, SPILLED_SQL } from '../sqlite/spill-file.js';
import type { SpillExtended, SpillExtent, SpillInit, SpillOp } from '../sqlite/spill-protocol.js';
import { ThreadClient } from '../sqlite/thread-client.js';
import { DigestFilter } from './digest-filter.js';

export interface ReplaySpillOptions {
  /** The storage directory (receiver.db and replay-spill.db live there). */
  readonly directory: string;
  readonly logger: Logger;
  /** Keys the in-memory filter of spilled digests is sized for at most: 1.25 bytes each, more with a spill's headroom. */
  readonly maxFilterKeys: number;
}

/** A spill-thread failure, with SQLite's message. */
export class ReplaySpillError extends Error {
  override readonly name = 'ReplaySpillError';
}

/**
 * The replay index's disk tier: the live replay keys of the log up to a seq, in replay-spill.db beside receiver.db,
 * answering "was this digest seen, and is it still live?" for the keys the in-memory index no longer holds.
 *
 * The replay log is the source of truth; the spill is a cache derived from it and always rebuildable. So a spill
 * that cannot be read, or was not built from this store's log as it now stands, is deleted and started empty
 * rather than trusted: one built from another store (its identity differs), or one covering seqs the log does not
 * hold (a receiver.db restored from an older backup reuses the seqs the spill claims to cover, for other keys).
 *
 * A file of its own, not tables in receiver.db: an extend writes up to millions of keys in one transaction, and in
 * receiver.db that would hold the write lock every 202's commit waits for.
 */
export class ReplaySpill {
  private extent: SpillExtent;
  /** Every digest the spill holds, and some it no longer does; none until the first extend (the thread makes it). */
  private filter: DigestFilter | undefined;
  private readonly lookup: Database.Statement<[Buffer, number]>;
  private readonly thread: ThreadClient;
  /** The last extend asked for, settled or not: the next one waits for it. */
  private tail: Promise<unknown> = Promise.resolve();
  private isClosed = false;

  private constructor(
    private readonly reader: Database.Database,
    private readonly init: SpillInit,
  ) {
    this.extent = readSpillMeta(reader).extent;
    this.lookup = reader.prepare(SPILLED_SQL);
    this.thread = new ThreadClient('spill-thread', init, (message) => new ReplaySpillError(message));
  }

  /**
   * Opens or creates replay-spill.db and checks it belongs to `db` (the node's main-thread connection to receiver.db);
   * a spill that does not, or cannot be opened or read, is deleted (with its -wal and -shm) and recreated empty.
   */
  static open(db: Database.Database, options: ReplaySpillOptions): ReplaySpill {
    const file = join(options.directory, SPILL_FILE_NAME);
    const init: SpillInit = { spillFile: file, logFile: db.name, maxFilterKeys: options.maxFilterKeys };
    const storeIdentity = db.prepare('SELECT id FROM store_identity').pluck().get() as Buffer;
    const lastSeq = (db.prepare(lastLogSeqSql('main')).pluck().get() as number | null) ?? -Infinity;
    try {
      return new ReplaySpill(openBelonging(file, storeIdentity, lastSeq), init);
    } catch (error) {
      options.logger.warn('the replay spill was discarded: it is rebuilt from the replay log', { file, reason: errorText(error) });
      removeSpill(file);
      return new ReplaySpill(openBelonging(file, storeIdentity, lastSeq), init);
    }
  }

  /** The last replay_log seq whose live keys are all in the spill; -Infinity while nothing was spilled. */
  get throughSeq(): number {
    return this.extent.throughSeq;
  }

  /** The latest expiry of any spilled key (ms); -Infinity when empty. `has` answers false without a read past it. */
  get liveUntil(): number {
    return this.extent.liveUntil;
  }

  /** Keys the spill holds (as of the last extend; for stats and logs). */
  get keys(): number {
    return this.extent.keys;
  }

  /** Memory the filter of spilled digests takes (shared with the spill thread, which makes it). */
  get filterBytes(): number {
    return this.filter?.buffer.byteLength ?? 0;
  }

  /**
   * Whether a key with this 16-byte digest was spilled and its expiry is after `now`: one indexed read on this thread's
   * read-only connection, none when now >= liveUntil, nor (from the first extend on) for a digest the thread's filter
   * rules out: all but about 1 % of those never spilled. Throws if the file cannot be read.
   */
  has(digest: Buffer, now: number): boolean {
    if (now >= this.extent.liveUntil) return false;
    if (this.filter && !this.filter.mightHold(digest)) return false;
    return this.lookup.get(digest, now) !== undefined;
  }

  /**
   * In the spill thread (started on first use): adds the keys, still live at `now`, of the replay_log rows with
   * throughSeq < seq <= through (through undefined: up to the log's last row when the thread reads it; never past
   * it) as a new run; drops the runs whose keys all expired at `now`, and merges runs of similar size, never leaving
   * more than MAX_SPILL_RUNS (spill-merge-policy.ts); then records the new throughSeq, all in one transaction of the spill file. Resolves with the new throughSeq. Calls run one at a time,
   * in order. Rejects if the thread fails; the spill stays as it was, and answers `has` as before.
   * throughSeq goes back only when the log ends below it: its seqs started again (a purge emptied an idle node's log,
   * and the next delivery took seq 1), and its rows are read again from the start, the keys already spilled kept.
   */
  extend(through: number | undefined, now: number): Promise<number> {
    if (this.isClosed) return Promise.reject(new ReplaySpillError('the replay spill is closed'));
    const extended = this.tail.then(async () => {
      const { extent, filter } = (await this.thread.request({ op: 'extend', through, now } satisfies SpillOp)) as SpillExtended;
      this.extent = extent;
      this.filter = new DigestFilter(filter);
      return extent.throughSeq;
    });
    this.tail = extended.catch(() => undefined);
    return extended;
  }

  /** Whether close() was called: the node is stopping, and extends are refused. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Ends the thread (after the extend it may be in) and closes both connections. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    await this.tail;
    await this.thread.end({ op: 'close' } satisfies SpillOp);
    this.reader.close();
  }
}

/**
 * Opens the spill at `file` (creating it), or throws if it cannot be read or does not belong to the store of
 * `storeIdentity` whose log ends at `lastSeq`. Returns the read-only connection `has` reads through.
 */
function openBelonging(file: string, storeIdentity: Buffer, lastSeq: number): Database.Database {
  const setup = new Database(file);
  try {
    setup.pragma('journal_mode = WAL');
    createSpillSchema(setup, storeIdentity);
    const meta = readSpillMeta(setup);
    if (!meta.storeIdentity.equals(storeIdentity)) throw new Error('it was built from another store');
    if (meta.extent.throughSeq > lastSeq) throw new Error(`it covers the log up to seq ${meta.extent.throughSeq}, and the log ends at ${lastSeq}`);
  } finally {
    setup.close();
  }
  const reader = new Database(file, { readonly: true, fileMustExist: true });
  // Lookups of random digests in a file far larger than any cache: on a 6M-key spill one took ~10.5 µs with a 2 MB
  // cache as with better-sqlite3's 16 MB (a page read from the OS each), and the larger one only grows the loop's RSS.
  limitStoreThreadCache(reader);
  return reader;
}

function removeSpill(file: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
}
