import Database from 'better-sqlite3';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger, type Logger } from '../../../../receiver/observability/logger.js';
import { encodeReplayKeys } from '../../../../receiver/store/dedupe/local-replay-cache.js';
import { replayDigest } from '../../../../receiver/store/dedupe/replay-digest.js';
import { ReplaySpill } from '../../../../receiver/store/dedupe/replay-spill.js';
import type { ReplayKey } from '../../../../receiver/store/replay-cache.js';
import { openDatabase } from '../../../../receiver/store/sqlite/open-database.js';
import { CHECKPOINT_THREAD_NICE, SPILL_THREAD_NICE } from '../../../../receiver/store/sqlite/thread-priority.js';

const T0 = 1_800_000_000_000;
const HOUR = 3_600_000;

const digest = (event: number | string): Buffer => replayDigest('pay', 'id', `evt_${event}`);
const key = (event: number | string, expiresAt: number): ReplayKey => ({ kind: 'id', digest: digest(event), expiresAt });

/** Every store a test opened, removed after it whatever its outcome. */
const directories: string[] = [];

/** A node's database and the warnings its spill logged. */
interface Store {
  readonly directory: string;
  readonly db: Database.Database;
  readonly warnings: string[];
  readonly logger: Logger;
}

function openStore(directory = mkdtempSync(join(tmpdir(), 'hookwarden-spill-'))): Store {
  directories.push(directory);
  const warnings: string[] = [];
  return { directory, db: openDatabase({ directory, sync: 'normal' }), warnings, logger: { ...silentLogger, warn: (message) => warnings.push(message) } };
}

/** A replay_log row as the writer commits it with its delivery. */
function logRow(db: Database.Database, seq: number, keys: readonly ReplayKey[]): void {
  db.prepare('INSERT INTO replay_log (seq, until, keys) VALUES (?, ?, ?)').run(seq, Math.max(...keys.map((stored) => stored.expiresAt)), encodeReplayKeys(keys));
}

describe('the replay spill', () => {
  let store: Store;
  let spill: ReplaySpill;
  const open = (maxFilterKeys = 1_000_000): ReplaySpill => ReplaySpill.open(store.db, { directory: store.directory, logger: store.logger, maxFilterKeys });

  beforeEach(() => {
    store = openStore();
    spill = open();
  });

  afterEach(async () => {
    await spill.close();
    store.db.close();
    for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
  });

  it('runs its thread at a lower priority than the event loop, but higher than the checkpoint thread', async () => {
    const niceValues = (): number[] =>
      readdirSync('/proc/self/task').map((tid) => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]?.split(' ')[16]));
    const before = niceValues().filter((nice) => nice === SPILL_THREAD_NICE).length;
    logRow(store.db, 1, [key(1, T0 + HOUR)]);
    await spill.extend(undefined, T0);
    expect(niceValues().filter((nice) => nice === SPILL_THREAD_NICE)).toHaveLength(before + 1);
    expect(SPILL_THREAD_NICE).toBeGreaterThan(0);
    expect(SPILL_THREAD_NICE).toBeLessThan(CHECKPOINT_THREAD_NICE);
  });

  it('starts empty, covering nothing', () => {
    expect([spill.throughSeq, spill.liveUntil, spill.keys]).toEqual([-Infinity, -Infinity, 0]);
    expect(spill.has(digest(1), T0)).toBe(false);
  });

  it('covers the rows up to `through` and not beyond, then the rest of the log when `through` is left out', async () => {
    for (const seq of [1, 2, 3]) logRow(store.db, seq, [key(seq, T0 + HOUR)]);
    expect(await spill.extend(2, T0)).toBe(2);
    expect([spill.throughSeq, spill.keys, spill.liveUntil]).toEqual([2, 2, T0 + HOUR]);
    expect([1, 2, 3].map((event) => spill.has(digest(event), T0))).toEqual([true, true, false]);

    expect(await spill.extend(undefined, T0)).toBe(3);
    expect([spill.throughSeq, spill.keys]).toEqual([3, 3]);
    expect(spill.has(digest(3), T0)).toBe(true);
  });

  it('reads only the rows after the seq it covers, and never covers seqs the log does not hold yet', async () => {
    logRow(store.db, 5, [key(5, T0 + HOUR)]);
    expect(await spill.extend(9, T0)).toBe(5);
    // A row below what the spill covers is not read again.
    logRow(store.db, 4, [key(4, T0 + HOUR)]);
    logRow(store.db, 6, [key(6, T0 + HOUR)]);
    expect(await spill.extend(undefined, T0)).toBe(6);
    expect([4, 5, 6].map((event) => spill.has(digest(event), T0))).toEqual([false, true, true]);
    expect(spill.keys).toBe(2);
    // Nothing new: the seq it covers stays.
    expect(await spill.extend(undefined, T0)).toBe(6);
    expect(await spill.extend(3, T0)).toBe(6);
  });

  it('reads a log of many pages whole, one short read at a time, skipping expired rows and stopping at `through`', async () => {
    // More rows than one read of the log takes (4,096), every third one expired, so the pages' ends fall anywhere.
    const rows = 3 * 4096 + 5;
    const live = (seq: number): boolean => seq % 3 !== 0;
    store.db.transaction(() => {
      for (let seq = 1; seq <= rows; seq++) logRow(store.db, seq, [key(seq, live(seq) ? T0 + HOUR : T0 - 1)]);
    })();
    expect(await spill.extend(rows - 7, T0)).toBe(rows - 7);
    const seqs = Array.from({ length: rows }, (_, index) => index + 1);
    expect(spill.keys).toBe(seqs.filter((seq) => seq <= rows - 7 && live(seq)).length);
    expect(seqs.filter((seq) => spill.has(digest(seq), T0) !== (seq <= rows - 7 && live(seq)))).toEqual([]);
    expect(await spill.extend(undefined, T0)).toBe(rows);
    expect(seqs.filter((seq) => spill.has(digest(seq), T0) !== live(seq))).toEqual([]);
  });

  it('reads the log again from its start when its seqs started again, keeping the keys it holds', async () => {
    for (const seq of [1, 2, 3]) logRow(store.db, seq, [key(seq, T0 + HOUR)]);
    await spill.extend(undefined, T0);
    // A purge emptied the log of an idle node: the next delivery takes seq 1 again.
    store.db.prepare('DELETE FROM replay_log').run();
    expect(await spill.extend(undefined, T0)).toBe(-Infinity);
    logRow(store.db, 1, [key('after the purge', T0 + HOUR)]);
    expect(await spill.extend(undefined, T0)).toBe(1);
    expect(['after the purge', 1, 3].map((event) => spill.has(digest(event), T0))).toEqual([true, true, true]);
    expect(spill.keys).toBe(4);
  });

  it('keeps the later expiry of a digest met twice, within one extend and across two', async () => {
    logRow(store.db, 1, [key('twice', T0 + 2 * HOUR)]);
    logRow(store.db, 2, [key('twice', T0 + HOUR)]);
    logRow(store.db, 3, [key('later', T0 + HOUR)]);
    await spill.extend(undefined, T0);
    logRow(store.db, 4, [key('later', T0 + 3 * HOUR)]);
    logRow(store.db, 5, [key('twice', T0 + HOUR)]);
    await spill.extend(undefined, T0);
    // Each extend is a run of its own: a digest met in two runs is held in each until they are merged.
    expect(spill.keys).toBe(4);
    expect(spill.has(digest('twice'), T0 + 1.5 * HOUR)).toBe(true);
    expect(spill.has(digest('later'), T0 + 2.5 * HOUR)).toBe(true);
    expect(spill.liveUntil).toBe(T0 + 3 * HOUR);
  });

  it('neither adds nor keeps keys expired at `now`, and its expiry and count follow', async () => {
    logRow(store.db, 1, [key('short', T0 + 10), key('long', T0 + HOUR)]);
    logRow(store.db, 2, [key('gone', T0 + 5)]);
    await spill.extend(1, T0);
    expect([spill.keys, spill.liveUntil]).toEqual([2, T0 + HOUR]);

    // A run is deleted once all its keys expired; until then an expired key stays in it, and is not live.
    await spill.extend(undefined, T0 + 20);
    expect([spill.keys, spill.liveUntil]).toEqual([2, T0 + HOUR]);
    expect(['short', 'long', 'gone'].map((event) => spill.has(digest(event), T0 + 20))).toEqual([false, true, false]);

    await spill.extend(undefined, T0 + 2 * HOUR);
    expect([spill.throughSeq, spill.keys, spill.liveUntil]).toEqual([2, 0, -Infinity]);
  });

  /** The spill's runs as spill_runs records them: run number, keys, latest expiry. */
  const spillRuns = (): { run: number; keys: number; max_until: number }[] => {
    const file = new Database(join(store.directory, 'replay-spill.db'), { readonly: true });
    try {
      return file.prepare('SELECT run, keys, max_until FROM spill_runs ORDER BY run').all() as { run: number; keys: number; max_until: number }[];
    } finally {
      file.close();
    }
  };

  it('merges runs of similar size into one, keeping each digest once with its latest expiry and dropping expired keys', async () => {
    logRow(store.db, 1, [key('every', T0 + HOUR), key('own1', T0 + HOUR), key('brief1', T0 + 10)]);
    logRow(store.db, 2, [key('every', T0 + 1.2 * HOUR), key('own2', T0 + HOUR), key('brief2', T0 + 30)]);
    await spill.extend(1, T0);
    expect(spillRuns()).toHaveLength(1);
    // The second run, 20 ms later, as large as the first: merged with it; 'every' once, 'brief1' expired.
    await spill.extend(undefined, T0 + 20);
    expect(spillRuns()).toEqual([{ run: 3, keys: 4, max_until: T0 + 1.2 * HOUR }]);
    expect(spill.has(digest('every'), T0 + 1.1 * HOUR)).toBe(true);
    expect(['own1', 'own2', 'brief1', 'brief2'].map((event) => spill.has(digest(event), T0 + 20))).toEqual([true, true, false, true]);
  });

  it('over many extends keeps at most eight runs, rewrites a key a few times, and answers for every live key', async () => {
    const MINUTE = 60_000;
    const LIFE = 64;
    const runsOf = new Map<string, Set<number>>();
    let most = 0;
    for (let extent = 1; extent <= 100; extent++) {
      // Extent e's keys expire LIFE minutes after it, a millisecond apart.
      logRow(store.db, extent, Array.from({ length: 8 }, (_, index) => key(`${extent}.${index}`, T0 + (extent + LIFE) * MINUTE + index)));
      await spill.extend(undefined, T0 + extent * MINUTE);
      const runs = spillRuns();
      most = Math.max(most, runs.length);
      expect(runs.length).toBeLessThanOrEqual(8);
      const file = new Database(join(store.directory, 'replay-spill.db'), { readonly: true });
      for (const { run, digest: held } of file.prepare('SELECT run, digest FROM spilled').all() as { run: number; digest: Buffer }[]) {
        const runs = runsOf.get(held.toString('hex')) ?? new Set<number>();
        runsOf.set(held.toString('hex'), runs.add(run));
      }
      file.close();
      const now = T0 + extent * MINUTE;
      for (let earlier = Math.max(1, extent - LIFE - 2); earlier <= extent; earlier++) {
        const live = earlier + LIFE > extent;
        expect(spill.has(digest(`${earlier}.0`), now), `${earlier}.0 at ${extent}`).toBe(live);
      }
    }
    expect(most).toBeGreaterThan(2);
    // Merging all runs past eight rewrote a key living 64 extends 7 or 8 times.
    const rewrites = Math.max(...[...runsOf.values()].map((runs) => runs.size - 1));
    expect(rewrites).toBeGreaterThan(0);
    expect(rewrites).toBeLessThanOrEqual(Math.ceil(Math.log2(LIFE)));
  });

  it('drops an old run whole once its keys expired, without merging it into newer ones', async () => {
    logRow(store.db, 1, Array.from({ length: 50 }, (_, index) => key(`old${index}`, T0 + HOUR)));
    await spill.extend(undefined, T0);
    // A run of the same size whose keys live ten times as long: the old one has too little time left to be merged in.
    logRow(store.db, 2, Array.from({ length: 50 }, (_, index) => key(`new${index}`, T0 + 10 * HOUR)));
    await spill.extend(undefined, T0);
    expect(spillRuns().map((held) => held.run)).toEqual([1, 2]);
    await spill.extend(undefined, T0 + HOUR);
    expect(spillRuns()).toEqual([{ run: 2, keys: 50, max_until: T0 + 10 * HOUR }]);
    expect([spill.has(digest('old0'), T0 + HOUR), spill.has(digest('new0'), T0 + HOUR)]).toEqual([false, true]);
  });

  it('answers false past a key\'s expiry and for a digest it never held', async () => {
    logRow(store.db, 1, [key(1, T0 + HOUR)]);
    await spill.extend(undefined, T0);
    expect(spill.has(digest(1), T0 + HOUR - 1)).toBe(true);
    expect(spill.has(digest(1), T0 + HOUR)).toBe(false);
    expect(spill.has(digest(2), T0)).toBe(false);
  });

  it('picks up rows another connection wrote while it was idle', async () => {
    logRow(store.db, 1, [key(1, T0 + HOUR)]);
    await spill.extend(undefined, T0);
    const writer = openDatabase({ directory: store.directory, sync: 'normal' });
    logRow(writer, 2, [key(2, T0 + HOUR)]);
    writer.close();
    expect(await spill.extend(undefined, T0)).toBe(2);
    expect(spill.has(digest(2), T0)).toBe(true);
  });

  it('keeps what it covers and holds across a close and a reopen', async () => {
    logRow(store.db, 1, [key(1, T0 + HOUR), key('sig', T0 + 2 * HOUR)]);
    await spill.extend(undefined, T0);
    await spill.close();
    spill = open();
    expect([spill.throughSeq, spill.keys, spill.liveUntil]).toEqual([1, 2, T0 + 2 * HOUR]);
    expect(spill.has(digest(1), T0)).toBe(true);
    expect(store.warnings).toEqual([]);
  });

  describe('is discarded with a warning, and the node opens with an empty one,', () => {
    const discarded = async (): Promise<void> => {
      spill = open();
      expect(store.warnings).toEqual(['the replay spill was discarded: it is rebuilt from the replay log']);
      expect([spill.throughSeq, spill.keys]).toEqual([-Infinity, 0]);
      expect(spill.has(digest(1), T0)).toBe(false);
      // And it is rebuilt from this store's log.
      expect(await spill.extend(undefined, T0)).toBe(1);
      expect(spill.has(digest(1), T0)).toBe(true);
    };

    it('when it was built from another store', async () => {
      const other = openStore();
      logRow(other.db, 1, [key('theirs', T0 + HOUR)]);
      const theirs = ReplaySpill.open(other.db, { directory: other.directory, logger: other.logger, maxFilterKeys: 1_000_000 });
      await theirs.extend(undefined, T0);
      await theirs.close();
      other.db.close();
      await spill.close();
      copyFileSync(join(other.directory, 'replay-spill.db'), join(store.directory, 'replay-spill.db'));

      logRow(store.db, 1, [key(1, T0 + HOUR)]);
      await discarded();
      expect(spill.has(digest('theirs'), T0)).toBe(false);
    });

    it('when it covers seqs the log does not hold (a database restored from an older backup)', async () => {
      for (const seq of [1, 2, 3]) logRow(store.db, seq, [key(seq, T0 + HOUR)]);
      await spill.extend(undefined, T0);
      await spill.close();
      store.db.prepare('DELETE FROM replay_log WHERE seq > 1').run();
      await discarded();
      expect(spill.has(digest(3), T0)).toBe(false);
    });

    it('when its file is not a database', async () => {
      await spill.close();
      writeFileSync(join(store.directory, 'replay-spill.db'), Buffer.alloc(8192, 'not a database '));
      logRow(store.db, 1, [key(1, T0 + HOUR)]);
      await discarded();
    });
  });

  it('answers for every key it took, once its filter was made and again after it grew past it', async () => {
    logRow(store.db, 1, [key('first', T0 + HOUR)]);
    await spill.extend(undefined, T0);
    // 100,000 keys: more than the first filter was made for.
    for (let seq = 2; seq <= 1_001; seq++) {
      logRow(store.db, seq, Array.from({ length: 100 }, (_, index) => key(`${seq}.${index}`, T0 + HOUR)));
    }
    await spill.extend(undefined, T0);
    const missed: string[] = [];
    for (let seq = 2; seq <= 1_001; seq++) for (let index = 0; index < 100; index++) if (!spill.has(digest(`${seq}.${index}`), T0)) missed.push(`${seq}.${index}`);
    expect([spill.keys, missed, spill.has(digest('first'), T0)]).toEqual([100_001, [], true]);
    expect(spill.has(digest('never'), T0)).toBe(false);
  });

  it('keeps its filter within the keys configured, and answers for every key it took past them by reading the file', async () => {
    await spill.close();
    spill = open(1_000);
    for (let seq = 1; seq <= 100; seq++) logRow(store.db, seq, Array.from({ length: 100 }, (_, index) => key(`${seq}.${index}`, T0 + HOUR)));
    await spill.extend(undefined, T0);
    // 1,000 keys at 10 bits each.
    expect(spill.filterBytes).toBe(1_250);
    const missed: string[] = [];
    for (let seq = 1; seq <= 100; seq++) for (let index = 0; index < 100; index++) if (!spill.has(digest(`${seq}.${index}`), T0)) missed.push(`${seq}.${index}`);
    expect([spill.keys, missed, spill.has(digest('never'), T0)]).toEqual([10_000, [], false]);
    // A full filter at its size takes the next extend's digests.
    for (let seq = 101; seq <= 110; seq++) logRow(store.db, seq, Array.from({ length: 100 }, (_, index) => key(`${seq}.${index}`, T0 + HOUR)));
    await spill.extend(undefined, T0);
    expect(spill.filterBytes).toBe(1_250);
    for (let seq = 1; seq <= 110; seq++) for (let index = 0; index < 100; index++) if (!spill.has(digest(`${seq}.${index}`), T0)) missed.push(`${seq}.${index}`);
    expect([spill.keys, missed]).toEqual([11_000, []]);
  });

  it('closes after the extend it is in, which completes', async () => {
    const keysPerRow = 100;
    for (let seq = 1; seq <= 1_000; seq++) {
      logRow(store.db, seq, Array.from({ length: keysPerRow }, (_, index) => key(`${seq}.${index}`, T0 + HOUR)));
    }
    const order: string[] = [];
    const extended = spill.extend(undefined, T0).then((through) => order.push(`extended through ${through}`));
    await spill.close().then(() => order.push('closed'));
    await extended;
    expect(order).toEqual(['extended through 1000', 'closed']);
    spill = open();
    expect([spill.throughSeq, spill.keys]).toEqual([1_000, 100_000]);
    expect(spill.has(digest('1000.99'), T0)).toBe(true);
  });

  it.runIf(process.platform === 'linux')('rejects an extend when its thread cannot start, and still answers from what it holds', async () => {
    logRow(store.db, 1, [key(1, T0 + HOUR)]);
    await spill.extend(undefined, T0);
    await spill.close();
    spill = open();
    // The thread opens the file by name; this thread's connection still reads the removed file (Linux keeps it while open).
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(store.directory, `replay-spill.db${suffix}`), { force: true });
    logRow(store.db, 2, [key(2, T0 + HOUR)]);
    await expect(spill.extend(undefined, T0)).rejects.toThrow(/the spill thread ended/);
    expect([spill.throughSeq, spill.has(digest(1), T0), spill.has(digest(2), T0)]).toEqual([1, true, false]);
  });

  it('rejects an extend that cannot read the log, and still answers from what it holds', async () => {
    logRow(store.db, 1, [key(1, T0 + HOUR)]);
    await spill.extend(undefined, T0);
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(store.directory, `receiver.db${suffix}`), { force: true });
    await expect(spill.extend(undefined, T0)).rejects.toThrow(/unable to open/);
    expect(spill.throughSeq).toBe(1);
    expect(spill.has(digest(1), T0)).toBe(true);
  });
});
