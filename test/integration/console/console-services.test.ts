import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventName, EventPayload } from '../../../shared/contract/console.js';
import { createConsoleServices, type ConsoleServices } from '../../../electron/main/services/console-services.js';
import { memoryCredentials } from '../../helpers/memory-credentials.js';
import { newSecret, sampleBody, sign } from '../../helpers/signers.js';
import { startAdminNodes } from '../../helpers/admin-nodes.js';
import { post, tempDir, type TestReceiver } from '../../helpers/test-receiver.js';

/**
 * The console's services end to end over real receiver nodes on loopback: connect a fleet,
 * rotate a secret, flip the kill switch, watch deliveries arrive live.
 */
describe('the console services', () => {
  const token = randomBytes(24).toString('base64url');
  const secret = newSecret('stripe');
  const userData = tempDir();
  const events: { event: EventName; payload: unknown }[] = [];
  const nodes: TestReceiver[] = [];
  let services: ConsoleServices;
  let fleetId: string;

  beforeAll(async () => {
    nodes.push(...(await startAdminNodes(token, [{ id: 'pay', scheme: 'stripe', secrets: [{ id: 'first', value: secret }] }])));
    services = await createConsoleServices({
      userDataDir: userData,
      credentials: memoryCredentials(),
      emit: <E extends EventName>(event: E, payload: EventPayload<E>) => events.push({ event, payload }),
    });
    const added = await services.handlers['fleets.add']({ name: 'production', nodes: nodes.map((node) => ({ url: node.engine.adminUrl ?? '' })), token, remember: true });
    fleetId = added.id;
    expect(added.nodes.map((node) => node.ok)).toEqual([true, true]);
  });
  afterAll(async () => {
    await services.close();
    for (const node of nodes) await node.close();
    rmSync(userData, { recursive: true, force: true });
  });

  const deliver = async (node: TestReceiver, key: string) => (await post(`${node.engine.ingressUrl}/hooks/pay`, await sign('stripe', { secret: key, body: sampleBody('stripe') }))).status;

  it('lists the fleet and its inventory, with node health and sender warnings', async () => {
    const [fleet] = await services.handlers['fleets.list']({});
    expect(fleet).toMatchObject({ name: 'production', tokenStorage: 'keychain' });
    expect(fleet!.nodes.every((node) => node.ok)).toBe(true);
    const inventory = await services.handlers['integrations.list']({ fleetId });
    expect(inventory).toHaveLength(1);
    expect(inventory[0]).toMatchObject({ fleetId, id: 'pay', scheme: 'stripe', status: 'active' });
  });

  it('rotates a secret on every node: old and new both verify until the old is retired, then the old gets 401', async () => {
    // Stripe issues the secret ("roll" in its dashboard): the console takes the one it gave.
    const rolled = newSecret('stripe');
    const rotated = await services.handlers['integrations.rotateSecret']({ fleetId, integrationId: 'pay', secret: rolled, pending: false, overlapSeconds: 3600, keepCopy: false });
    expect(rotated.nodes.map((node) => node.ok)).toEqual([true, true]);
    expect(rotated.secret).toBeUndefined();
    for (const node of nodes) {
      expect(await deliver(node, secret)).toBe(202);
      expect(await deliver(node, rolled)).toBe(202);
    }
    const retired = await services.handlers['integrations.retireSecret']({ fleetId, integrationId: 'pay', secretId: 'first' });
    expect(retired.nodes.map((node) => node.ok)).toEqual([true, true]);
    for (const node of nodes) {
      expect(await deliver(node, secret)).toBe(401);
      expect(await deliver(node, rolled)).toBe(202);
    }
    const [entry] = await services.handlers['integrations.list']({ fleetId });
    expect(JSON.stringify(entry)).not.toContain(rolled);
  });

  it('engages the kill switch on every node and releases it', async () => {
    const killed = await services.handlers['integrations.kill']({ fleetId, integrationId: 'pay', mode: 'reject', reason: 'incident 7' });
    expect(killed.nodes.every((node) => node.ok)).toBe(true);
    for (const node of nodes) expect(await deliver(node, secret)).toBe(503);
    await services.handlers['integrations.resume']({ fleetId, integrationId: 'pay', reason: 'resolved', held: 'release' });
    for (const node of nodes) expect(await deliver(node, secret)).not.toBe(503);
  });

  it('streams deliveries from every node to the event sink in batches', async () => {
    events.length = 0;
    for (const node of nodes) await deliver(node, secret);
    const deadline = Date.now() + 5000;
    const seen = () => events.filter((entry) => entry.event === 'deliveries').flatMap((entry) => (entry.payload as EventPayload<'deliveries'>).deliveries);
    while (seen().length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(new Set(seen().map((delivery) => delivery.nodeUrl)).size).toBe(2);
  });

  it('runs the local receiver as the fleet "local", with test deliveries and its own live feed', async () => {
    // Any free port: the fixed default (4455) may be taken on a shared machine.
    const status = await services.handlers['localReceiver.start']({ port: 0 });
    expect(status.running).toBe(true);
    expect(await services.handlers['localReceiver.sendTest']({ variant: 'valid' })).toMatchObject({ status: 202 });
    const local = await services.handlers['integrations.list']({ fleetId: 'local' });
    expect(local.map((entry) => entry.id)).toContain('local-test');
    const page = await services.handlers['deliveries.list']({ fleetId: 'local', limit: 10 });
    expect(page.deliveries[0]).toMatchObject({ fleetId: 'local', outcome: 'accepted' });
  });

  it('removes a fleet and its token', async () => {
    expect(await services.handlers['fleets.remove']({ id: fleetId })).toEqual({ removed: true });
    expect(await services.handlers['fleets.list']({})).toEqual([]);
  });
});
