import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalReceiver } from '../../../electron/main/services/local-receiver/local-receiver.js';
import { ReplayService } from '../../../electron/main/services/replay/replay-service.js';
import { silentLogger } from '../../../receiver/observability/logger.js';
import { newSecret, sampleBody, sign } from '../../helpers/signers.js';
import { startTestReceiver, tempDir, type TestReceiver } from '../../helpers/test-receiver.js';

/** Captures from a "production" receiver, replayed to the console's local receiver and to a loopback URL. */
describe('replay', () => {
  const dir = tempDir();
  let production: TestReceiver;
  let local: LocalReceiver;
  let replay: ReplayService;
  let capturedId: string;
  const secret = newSecret('stripe');

  beforeAll(async () => {
    production = await startTestReceiver({ integrations: [{ id: 'pay', scheme: 'stripe', secrets: [{ id: 's1', value: secret }] }] });
    const answer = await production.post('/hooks/pay', await sign('stripe', { secret, body: sampleBody('stripe') }));
    capturedId = answer.json.requestId ?? '';
    let seed: string | undefined;
    const seedStore = {
      load: () => Promise.resolve(seed),
      save: (value: string) => {
        seed = value;
        return Promise.resolve();
      },
    };
    local = new LocalReceiver({ userDataDir: dir, logger: silentLogger, seed: seedStore });
    await local.start();
    replay = new ReplayService(async (input) => {
      const raw = production.engine.queries.raw(input.requestId);
      if (!raw) throw new Error('no capture');
      return { raw, scheme: 'stripe' };
    }, local);
  });
  afterAll(async () => {
    await local.stop();
    await production.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('replays as captured to reproduce the failure locally, with the verification trace', async () => {
    const result = await replay.replay({ fleetId: 'prod', requestId: capturedId, target: { kind: 'local' }, mode: 'as-captured' });
    expect(result.status).toBe(401);
    expect(result.trace?.map((step) => step.step)).toContain('signature');
    expect(JSON.stringify(result.trace)).toMatch(/signature_invalid|no secret/);
  });

  it('re-signs with the local secret and a fresh timestamp, so an old capture verifies again', async () => {
    const result = await replay.replay({ fleetId: 'prod', requestId: capturedId, target: { kind: 'local' }, mode: 're-signed' });
    expect(result.status).toBe(202);
    const edited = await replay.replay({ fleetId: 'prod', requestId: capturedId, target: { kind: 'local' }, mode: 're-signed', body: JSON.stringify({ id: 'evt_edited', type: 'x' }) });
    expect(edited.status).toBe(202);
  });

  it('sends to a loopback URL, and refuses any other host', async () => {
    const url = `${local.status().url}/hooks/local-stripe`;
    const result = await replay.replay({ fleetId: 'prod', requestId: capturedId, target: { kind: 'url', url }, mode: 're-signed', body: JSON.stringify({ id: 'evt_url' }) });
    expect(result.status).toBe(202);
    await expect(replay.replay({ fleetId: 'prod', requestId: capturedId, target: { kind: 'url', url: 'https://203.0.113.5/hook' }, mode: 'as-captured' })).rejects.toMatchObject({
      code: 'target_not_loopback',
    });
  });
});
