import Database from 'better-sqlite3';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../receiver/observability/logger.js';
import { BACKSTOP_CHECKPOINT_FRAMES, nextCheckpointDelayMs } from '../../../../receiver/store/sqlite/checkpoint-schedule.js';
import { Checkpointer } from '../../../../receiver/store/sqlite/checkpointer.js';
import { openDatabase } from '../../../../receiver/store/sqlite/open-database.js';
import { CHECKPOINT_THREAD_NICE } from '../../../../receiver/store/sqlite/thread-priority.js';

/** Generous: the thread's first checkpoint comes after its interval, on a machine that may be busy. */
const WAIT_MS = 30_000;

async function until(condition: () => boolean): Promise<void> {
  for (const started = Date.now(); !condition(); ) {
    if (Date.now() - started > WAIT_MS) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The nice value of every thread of this process (field 19 of /proc/self/task/<tid>/stat). */
function threadNiceValues(): number[] {
  return readdirSync('/proc/self/task').map((tid) => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]?.split(' ')[16]));
}

describe('the checkpoint thread', () => {
  let dir: string;
  let file: string;
  let writer: Database.Database;
  let checkpointer: Checkpointer;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hookwarden-checkpoint-'));
    openDatabase({ directory: dir, sync: 'full' }).close();
    file = join(dir, 'receiver.db');
    writer = new Database(file);
    // As the writer thread under load: its commits never checkpoint, so only the thread copies the WAL.
    writer.pragma('wal_autocheckpoint = 0');
    writer.exec('CREATE TABLE filler (value BLOB)');
    checkpointer = new Checkpointer({ file, sync: 'full', intervalMs: 10 }, silentLogger);
  });

  afterEach(async () => {
    await checkpointer.close();
    writer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('copies committed WAL frames into the database file while no commit checkpoints', async () => {
    await checkpointer.start();
    const insert = writer.prepare('INSERT INTO filler (value) VALUES (randomblob(1000))');
    writer.transaction(() => {
      for (let row = 0; row < 2_000; row++) insert.run();
    })();
    const pageSize = writer.pragma('page_size', { simple: true }) as number;
    await until(() => statSync(file).size === (writer.pragma('page_count', { simple: true }) as number) * pageSize);
    expect(writer.prepare('SELECT count(*) AS rows FROM filler').get()).toEqual({ rows: 2_000 });
  });

  it('leaves the node running on the backstop when the thread cannot open the database, and says so', async () => {
    const errors: string[] = [];
    const logger = { ...silentLogger, error: (message: string) => errors.push(message) };
    const orphan = new Checkpointer({ file: join(dir, 'missing', 'receiver.db'), sync: 'full', intervalMs: 10 }, logger);
    await orphan.start();
    expect(errors).toContain('the checkpoint thread failed; the writer checkpoints meanwhile');
    await orphan.close();
  });

  it.runIf(process.platform === 'linux')('runs at a lower priority than the event loop, and ends with close()', async () => {
    const before = threadNiceValues().filter((nice) => nice === CHECKPOINT_THREAD_NICE).length;
    await checkpointer.start();
    expect(threadNiceValues().filter((nice) => nice === CHECKPOINT_THREAD_NICE)).toHaveLength(before + 1);
    expect(Number(readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ')[16])).toBe(0);
    await checkpointer.close();
    expect(threadNiceValues().filter((nice) => nice === CHECKPOINT_THREAD_NICE)).toHaveLength(before);
  });

  it('checkpoints at its interval unless the WAL would reach the backstop soon, then closes in on that moment', () => {
    const backstop = BACKSTOP_CHECKPOINT_FRAMES;
    // 1,000 frames a second, 1,000 frames in: the backstop is seven seconds away.
    expect(nextCheckpointDelayMs(1_000, { walFrames: 1_000, newFrames: 1_000, sinceMs: 1_000 })).toBe(1_000);
    // 4,000 frames a second, 2,000 frames short of it: the backstop is half a second away, so the thread comes back halfway there.
    expect(nextCheckpointDelayMs(1_000, { walFrames: backstop - 2_000, newFrames: 4_000, sinceMs: 1_000 })).toBe(250);
    // The same growth seen over a shorter wait.
    expect(nextCheckpointDelayMs(1_000, { walFrames: backstop - 2_000, newFrames: 400, sinceMs: 100 })).toBe(250);
    // Never sooner than a tenth of the interval, and that at once past the backstop (its commit is due).
    expect(nextCheckpointDelayMs(1_000, { walFrames: backstop - 10, newFrames: 4_000, sinceMs: 1_000 })).toBe(100);
    expect(nextCheckpointDelayMs(1_000, { walFrames: backstop + 10, newFrames: 0, sinceMs: 1_000 })).toBe(100);
    // An idle WAL waits the interval.
    expect(nextCheckpointDelayMs(1_000, { walFrames: backstop - 100, newFrames: 0, sinceMs: 1_000 })).toBe(1_000);
  });
});
