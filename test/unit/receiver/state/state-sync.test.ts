import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { integrationConfig } from '../../../../shared/contract/receiver-config.js';
import { silentLogger } from '../../../../receiver/observability/logger.js';
import { IntegrationRuntime } from '../../../../receiver/pipeline/integration-runtime.js';
import { migrate } from '../../../../receiver/store/sqlite/schema.js';
import { SqliteStateStore } from '../../../../receiver/store/sqlite/sqlite-state-store.js';
import { StateSync } from '../../../../receiver/state/state-sync.js';
import { newSecret } from '../../../helpers/signers.js';
import { tempDir } from '../../../helpers/test-receiver.js';

/**
 * Two nodes' views of one stored state: two connections to one SQLite file, each with its own state
 * store. A store tells only its own node of a change, so the second node hears of a change made
 * through the first only when it reads the state, as a fleet node does whose Redis notification is late.
 */
describe('runtime state kept in step with the store', () => {
  const open: Database.Database[] = [];
  afterEach(() => {
    for (const db of open.splice(0)) db.close();
  });

  async function node(file: string, masterKey: Buffer, secret: string) {
    const db = new Database(file);
    open.push(db);
    migrate(db);
    const runtime = new IntegrationRuntime(integrationConfig.parse({ id: 'pay', scheme: 'stripe', secrets: [{ id: 's1', value: secret }] }), {
      baseDir: '.',
      defaultMaxBodyBytes: 1024 * 1024,
      now: Date.now(),
    });
    const ended: string[] = [];
    let finishRelease: () => void = () => undefined;
    const sync = new StateSync({
      integrations: [runtime],
      store: new SqliteStateStore(db),
      masterKey,
      // The release is a commit on the writer thread: it settles when the test says so.
      onHoldEnded: (integrationId, disposition) =>
        new Promise<void>((resolve) => {
          finishRelease = () => {
            ended.push(`${integrationId} ${disposition}`);
            resolve();
          };
        }),
      logger: silentLogger,
    });
    await sync.start();
    finishRelease();
    ended.length = 0;
    return { runtime, sync, ended, finish: () => finishRelease() };
  }

  it('lets a command on a node that has not heard of a hold ending act only after that node released what it parked', async () => {
    const file = join(tempDir(), 'state.db');
    const masterKey = randomBytes(32);
    const secret = newSecret('stripe');
    const a = await node(file, masterKey, secret);
    const b = await node(file, masterKey, secret);
    const hold = { kill: { mode: 'hold' as const, reason: 'maintenance', since: 1, actor: 'console' }, secrets: [...a.runtime.fileSecrets] };
    expect(await a.sync.store(a.runtime, await a.sync.latest(a.runtime), hold)).toBe(true);
    await b.sync.latest(b.runtime);
    expect(b.runtime.kill?.mode).toBe('hold');

    // Released through A: A answers once its own parked deliveries are released.
    const releasedOnA = a.sync.store(a.runtime, await a.sync.latest(a.runtime), { kill: null, secrets: hold.secrets, heldDisposition: 'release' });
    let aAnswered = false;
    void releasedOnA.then(() => (aAnswered = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(aAnswered).toBe(false);
    a.finish();
    expect(await releasedOnA).toBe(true);
    expect(a.ended).toEqual(['pay release']);

    // B still holds; a command reaching B reads the stored state and releases B's part before it goes on.
    expect(b.runtime.kill?.mode).toBe('hold');
    const readOnB = b.sync.latest(b.runtime);
    let bAnswered = false;
    void readOnB.then(() => (bAnswered = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(bAnswered).toBe(false);
    b.finish();
    expect((await readOnB).state.kill).toBeNull();
    expect(b.ended).toEqual(['pay release']);
    expect(b.runtime.kill).toBeNull();
  });
});
