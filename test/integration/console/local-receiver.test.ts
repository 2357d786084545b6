import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SCHEMES } from '../../../shared/contract/console.js';
import { LocalReceiver, type SeedStore } from '../../../electron/main/services/local-receiver/local-receiver.js';
import { silentLogger } from '../../../receiver/observability/logger.js';
import { tempDir } from '../../helpers/test-receiver.js';

/** A seed store in memory: the vault's keychain store is tested on its own against a real Secret Service. */
function memorySeed(): SeedStore & { value?: string } {
  const store: SeedStore & { value?: string } = {
    load: () => Promise.resolve(store.value),
    save: (seed) => {
      store.value = seed;
      return Promise.resolve();
    },
  };
  return store;
}

const TIMESTAMPED = new Set(['standard-webhooks', 'svix', 'stripe', 'slack', 'hmac']);

describe('the local test receiver', () => {
  const dir = tempDir();
  const seed = memorySeed();
  let receiver: LocalReceiver;
  beforeAll(async () => {
    receiver = new LocalReceiver({ userDataDir: dir, seed, logger: silentLogger });
    await receiver.start();
  });
  afterAll(async () => {
    await receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('listens on loopback and lists an integration per scheme, local-test first', () => {
    const status = receiver.status();
    expect(status.running).toBe(true);
    expect(status.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(status.integrations[0]).toEqual({ id: 'local-test', scheme: 'standard-webhooks', path: '/hooks/local-test' });
  });

  it.each(TEST_SCHEMES)('sends %s test deliveries in every variant and reports how they were judged', async (scheme) => {
    expect(await receiver.sendTest({ scheme, variant: 'valid' })).toMatchObject({ status: 202, outcome: 'accepted' });
    expect(await receiver.sendTest({ scheme, variant: 'wrong-secret' })).toMatchObject({ status: 401, outcome: 'rejected', reason: 'signature_invalid' });
    expect(await receiver.sendTest({ scheme, variant: 'replay' })).toMatchObject({ status: 200, outcome: 'duplicate' });
    if (TIMESTAMPED.has(scheme)) {
      expect(await receiver.sendTest({ scheme, variant: 'expired' })).toMatchObject({ status: 401, reason: 'timestamp_stale' });
    } else {
      await expect(receiver.sendTest({ scheme, variant: 'expired' })).rejects.toMatchObject({ code: 'not_applicable' });
    }
  });

  it('keeps verifying after a restart, because its secrets derive from the kept seed', async () => {
    const before = seed.value;
    await receiver.stop();
    expect(receiver.status()).toMatchObject({ running: false, url: null });
    await expect(receiver.sendTest({ variant: 'valid' })).rejects.toMatchObject({ code: 'local_receiver_stopped' });
    await receiver.start();
    expect(seed.value).toBe(before);
    expect(await receiver.sendTest({ variant: 'valid' })).toMatchObject({ status: 202 });
  });
});
