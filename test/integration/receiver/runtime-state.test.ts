import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../../receiver/admin/admin-service.js';
import { TEST_HMAC_OPTIONS, newSecret, sampleBody, sign } from '../../helpers/signers.js';
import { startTestReceiver, tempDir, type TestReceiver } from '../../helpers/test-receiver.js';

const actor: Actor = { name: 'console', sourceIp: '127.0.0.1' };

/** Kill switches and secrets changed at runtime: applied at once, sealed at rest, kept across restarts. */
describe('runtime state', () => {
  const started: TestReceiver[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const receiver of started.splice(0)) await receiver.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  const first = newSecret('hmac');
  const config = { integrations: [{ id: 'inv', scheme: 'hmac', hmac: TEST_HMAC_OPTIONS, secrets: [{ id: 's1', value: first }] }] };

  async function start(dir: string, env: NodeJS.ProcessEnv = {}, now?: () => number) {
    const receiver = await startTestReceiver(config, { dir, env, ...(now === undefined ? {} : { now }) });
    started.push(receiver);
    return receiver;
  }
  const send = async (receiver: TestReceiver, secret: string) => (await receiver.post('/hooks/inv', await sign('hmac', { secret, body: sampleBody('hmac') }))).status;

  it('rotates: old and new secrets both verify during the overlap, the old one is refused once retired', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const receiver = await start(dir);
    const second = newSecret('hmac');
    const view = await receiver.engine.commands.addSecret(actor, 'inv', { secret: second, id: 's2', overlapSeconds: 3600 });
    expect(view.secrets.map((secret) => [secret.id, secret.state, secret.source])).toEqual([
      ['s1', 'expiring', 'file'],
      ['s2', 'active', 'runtime'],
    ]);
    expect(JSON.stringify(view)).not.toContain(second);
    expect(await send(receiver, first)).toBe(202);
    expect(await send(receiver, second)).toBe(202);

    await receiver.engine.commands.retireSecret(actor, 'inv', 's1');
    const old = await receiver.post('/hooks/inv', await sign('hmac', { secret: first, body: sampleBody('hmac') }));
    expect(old.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(receiver.db().prepare('SELECT reason FROM deliveries WHERE request_id = ?').pluck().get(old.json.requestId)).toBe('signature_retired_secret');
    expect(await send(receiver, second)).toBe(202);
  });

  it('dates a secret the config gives no createdAt by when the node first saw it, across restarts', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const firstStart = Date.parse('2026-01-01T00:00:00Z');
    const createdAt = (receiver: TestReceiver, id: string) => {
      const [runtime] = receiver.engine.integrations;
      if (!runtime) throw new Error('no integration');
      return receiver.engine.views.integration(runtime, firstStart).secrets.find((secret) => secret.id === id)?.createdAt;
    };
    let receiver = await start(dir, {}, () => firstStart);
    expect(createdAt(receiver, 's1')).toBe('2026-01-01T00:00:00.000Z');
    await receiver.close();
    started.length = 0;
    // 40 days later the same secret is still 40 days old, not 0.
    receiver = await start(dir, {}, () => firstStart + 40 * 86_400_000);
    expect(createdAt(receiver, 's1')).toBe('2026-01-01T00:00:00.000Z');
  });

  it('keeps runtime secrets and kill switches across a restart, sealed with a 0600 master key', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const receiver = await start(dir);
    const second = newSecret('hmac');
    await receiver.engine.commands.addSecret(actor, 'inv', { secret: second, id: 's2', overlapSeconds: 0 });
    await receiver.engine.commands.kill(actor, 'inv', { mode: 'hold', reason: 'maintenance' });
    await receiver.close();
    started.length = 0;

    const sealed = readFileSync(join(dir, 'data', 'receiver.db'));
    expect(sealed.includes(Buffer.from(second))).toBe(false);
    expect(statSync(join(dir, 'data', 'master.key')).mode & 0o777).toBe(0o600);

    const again = await start(dir);
    expect(await send(again, second)).toBe(202);
    expect(await send(again, first)).toBe(401);
    const [view] = again.engine.integrations.map((runtime) => again.engine.views.integration(runtime, Date.now()));
    expect(view).toMatchObject({ status: 'held', kill: { mode: 'hold', reason: 'maintenance', actor: 'console' } });
    expect(view!.drift.map((entry) => entry.field)).toEqual(['secrets', 'kill']);
    expect(view!.heldCount).toBe(1);
  });

  it('refuses to start with a master key other than the one that sealed the state', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const receiver = await start(dir);
    await receiver.engine.commands.kill(actor, 'inv', { mode: 'reject', reason: 'incident' });
    await receiver.close();
    started.length = 0;
    await expect(start(dir, { HOOKWARDEN_MASTER_KEY: 'ab'.repeat(32) })).rejects.toThrow(/master key differs/);
  });

  it('bounds rotations: scheme-valid secrets only, no retiring the last one, at most ten unexpired old ones', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const receiver = await start(dir);
    const { commands } = receiver.engine;
    await expect(commands.retireSecret(actor, 'inv', 's1')).rejects.toMatchObject({ status: 409, code: 'last_secret' });
    await expect(commands.retireSecret(actor, 'nope', 's1')).rejects.toMatchObject({ status: 404 });
    await expect(commands.addSecret(actor, 'inv', { secret: newSecret('hmac'), overlapSeconds: 8 * 86_400 })).rejects.toThrow();
    for (let i = 0; i < 10; i++) await commands.addSecret(actor, 'inv', { secret: newSecret('hmac'), id: `r${i}`, overlapSeconds: 3600 });
    await expect(commands.addSecret(actor, 'inv', { secret: newSecret('hmac'), id: 'r10', overlapSeconds: 3600 })).rejects.toMatchObject({
      status: 409,
      code: 'too_many_secrets',
    });
  });

  it('releases deliveries parked in hold mode when the hold ends', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const receiver = await start(dir);
    await receiver.engine.commands.kill(actor, 'inv', { mode: 'hold', reason: 'downstream down' });
    expect(await send(receiver, first)).toBe(202);
    await expect(receiver.engine.commands.release(actor, 'nope', { reason: 'x' })).rejects.toMatchObject({ status: 404 });
    const view = await receiver.engine.commands.release(actor, 'inv', { reason: 'downstream back' });
    expect(view.status).toBe('active');
    await expect(receiver.engine.commands.release(actor, 'inv', { reason: 'again' })).rejects.toMatchObject({ status: 409 });
  });
});
