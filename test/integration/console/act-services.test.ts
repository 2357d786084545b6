import { createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../../shared/contract/console.js';
import { createConsoleServices, type ConsoleServices } from '../../../electron/main/services/console-services.js';
import { AdminClient, consolePerson } from '../../../electron/main/services/fleets/admin-client.js';
import { memoryCredentials } from '../../helpers/memory-credentials.js';
import { newSecret, sampleBody, sign } from '../../helpers/signers.js';
import { startAdminNodes } from '../../helpers/admin-nodes.js';
import { startDownstream, type DownstreamService } from '../../helpers/downstream-service.js';
import { post, tempDir, type TestReceiver } from '../../helpers/test-receiver.js';

/**
 * The console's services for rotation per scheme, redrive, the fleet audit timeline and the local
 * receiver's port and secrets, over two real receiver nodes on loopback.
 */
describe('rotation, redrive, audit and local secrets through the console services', { timeout: 120_000 }, () => {
  const token = randomBytes(24).toString('base64url');
  const ordersSecret = newSecret('standard-webhooks');
  const userData = tempDir();
  const nodes: TestReceiver[] = [];
  let services: ConsoleServices;
  let fleetId: string;
  let downstream: DownstreamService;

  beforeAll(async () => {
    downstream = await startDownstream();
    nodes.push(
      ...(await startAdminNodes(
        token,
        [
          { id: 'orders', scheme: 'standard-webhooks', secrets: [{ id: 's1', value: ordersSecret }] },
          { id: 'pay', scheme: 'stripe', secrets: [{ id: 's1', value: newSecret('stripe') }] },
        ],
        { downstream: { type: 'http', url: downstream.url, initialBackoffMs: 5, maxBackoffMs: 50 } },
      )),
    );
    services = await createConsoleServices({ userDataDir: userData, credentials: memoryCredentials(), emit: () => undefined });
    fleetId = (await services.handlers['fleets.add']({ name: 'act', nodes: nodes.map((node) => ({ url: node.engine.adminUrl ?? '' })), token, remember: true })).id;
  });
  afterAll(async () => {
    await services.close();
    for (const node of nodes) await node.close();
    await downstream.close();
    rmSync(userData, { recursive: true, force: true });
  });

  const deliverOrder = async (node: TestReceiver, key: string) =>
    (await post(`${node.engine.ingressUrl}/hooks/orders`, await sign('standard-webhooks', { secret: key, body: sampleBody('standard-webhooks') }))).status;
  const secretsOf = async (integrationId: string) => (await services.handlers['integrations.list']({ fleetId })).find((entry) => entry.id === integrationId)?.secrets ?? [];

  it('refuses to make up a secret for a provider that issues its own', async () => {
    await expect(services.handlers['integrations.rotateSecret']({ fleetId, integrationId: 'pay', pending: true, overlapSeconds: 3600, keepCopy: false })).rejects.toMatchObject({
      code: 'secret_required',
      message: expect.stringMatching(/^secret: stripe issues its own signing secret/) as unknown,
    });
    expect((await secretsOf('pay')).map((secret) => secret.id)).toEqual(['s1']);
  });

  it('adds a generated secret pending: both verify, and the old one gets no expiry until the cutover is confirmed', async () => {
    const rotated = await services.handlers['integrations.rotateSecret']({ fleetId, integrationId: 'orders', pending: true, overlapSeconds: 86_400, keepCopy: false });
    expect(rotated).toMatchObject({ pending: true, nodes: [{ ok: true }, { ok: true }] });
    expect(rotated.expiresOld).toBeUndefined();
    const fresh = rotated.secret ?? '';
    for (const node of nodes) for (const key of [ordersSecret, fresh]) expect(await deliverOrder(node, key)).toBe(202);
    expect((await secretsOf('orders')).find((secret) => secret.id === 's1')).toMatchObject({ state: 'active' });
    expect((await secretsOf('orders')).find((secret) => secret.id === 's1')?.expiresAt).toBeUndefined();

    const confirmed = await services.handlers['integrations.confirmSecret']({ fleetId, integrationId: 'orders', secretId: rotated.secretId, overlapSeconds: 3600 });
    expect(confirmed.nodes.map((node) => node.ok)).toEqual([true, true]);
    expect((await secretsOf('orders')).find((secret) => secret.id === 's1')).toMatchObject({ state: 'expiring' });
    for (const node of nodes) for (const key of [ordersSecret, fresh]) expect(await deliverOrder(node, key)).toBe(202);
  });

  it('counts before it redrives, and redrives on every node with a result per node', async () => {
    // What was accepted has been handed downstream: that is what a redrive sends again.
    await expect.poll(() => downstream.received.length, { timeout: 30_000 }).toBe(8);
    const since = new Date(Date.now() - 3_600_000).toISOString();
    const count = await services.handlers['deliveries.redrive']({ fleetId, integrationId: 'orders', since, dryRun: true });
    expect(count).toMatchObject({ dryRun: true, matched: 8, requeued: 0 });
    expect(count.nodes.map((node) => [node.ok, node.matched])).toEqual([
      [true, 4],
      [true, 4],
    ]);
    const done = await services.handlers['deliveries.redrive']({ fleetId, integrationId: 'orders', since, dryRun: false });
    expect(done).toMatchObject({ dryRun: false, matched: 8, requeued: 8 });
    await expect.poll(() => downstream.received.length, { timeout: 30_000 }).toBe(16);
    expect(new Set(downstream.received.slice(8))).toEqual(new Set(downstream.received.slice(0, 8)));
  });

  it('merges both nodes\' audit chains into one timeline naming the person at the console', async () => {
    const timeline = await services.handlers['audit.timeline']({ fleetId, limit: 100 });
    expect(timeline.nodes.map((node) => node.chain?.verified)).toEqual([true, true]);
    expect(new Set(timeline.entries.map((entry) => entry.nodeUrl)).size).toBe(2);
    const times = timeline.entries.map((entry) => Date.parse(entry.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(timeline.entries.filter((entry) => entry.action.startsWith('secret.')).every((entry) => entry.person === consolePerson() && entry.actor === 'console')).toBe(true);
  });

  it('runs the local receiver on the port asked, names a taken port, and reveals and sets a local secret', async () => {
    const squatter = createTcpServer();
    const taken = await new Promise<number>((resolve) => squatter.listen(0, '127.0.0.1', () => resolve((squatter.address() as { port: number }).port)));
    try {
      await expect(services.handlers['localReceiver.start']({ port: taken })).rejects.toMatchObject({ code: 'port_in_use', message: expect.stringContaining(`port ${taken}`) as unknown });
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
    const status = await services.handlers['localReceiver.start']({ port: 0 });
    expect(status.port).toBe(Number(new URL(status.url ?? '').port));

    const shown = await services.handlers['localReceiver.secret']({ integrationId: 'local-stripe' });
    expect(shown.secret).toMatch(/^whsec_/);
    const listen = newSecret('stripe');
    // As pasted from a terminal, with its line break: the contract trims it at the boundary.
    const set = await services.handlers['localReceiver.setSecret'](commands['localReceiver.setSecret'].input.parse({ integrationId: 'local-stripe', secret: `${listen}\n` }));
    expect(set.fingerprint).toBe(createHash('sha256').update(listen).digest('hex').slice(0, 8));
    expect((await services.handlers['localReceiver.secret']({ integrationId: 'local-stripe' })).secret).toBe(listen);
    const url = `${status.url ?? ''}/hooks/local-stripe`;
    expect((await post(url, await sign('stripe', { secret: listen, body: sampleBody('stripe') }))).status).toBe(202);
    expect((await post(url, await sign('stripe', { secret: shown.secret, body: sampleBody('stripe') }))).status).toBe(401);
    await expect(services.handlers['localReceiver.setSecret']({ integrationId: 'local-test', secret: 'not-a-standard-webhooks-secret' })).rejects.toMatchObject({
      code: expect.stringMatching(/^(weak|invalid)_secret$/) as unknown,
    });
    await expect(services.handlers['deliveries.redrive']({ fleetId: 'local', integrationId: 'local-test', since: new Date().toISOString(), dryRun: true })).rejects.toMatchObject({
      code: 'not_applicable',
    });
  });
});

describe('the person at the console', () => {
  it('is user@host, printable ASCII only, so that a user name cannot smuggle a header in', () => {
    expect(consolePerson(() => 'ana', () => 'ops-laptop')).toBe('ana@ops-laptop');
    expect(consolePerson(() => 'ana\r\nx-evil: 1', () => 'höst')).toBe('anax-evil:1@hst');
    expect(
      consolePerson(
        () => {
          throw new Error('no passwd entry');
        },
        () => '',
      ),
    ).toBe('unknown@unknown');
  });

  it('is sent with every admin call', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((request, response) => {
      seen.push(request.headers);
      response.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'unauthorized', message: 'no' } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const client = new AdminClient({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, token: 'a-token', retries: 0 });
      await expect(client.node()).rejects.toMatchObject({ code: 'token_refused' });
      await expect(client.redrive({ integration: 'orders', since: new Date().toISOString() })).rejects.toMatchObject({ code: 'token_refused' });
      expect(seen.map((headers) => headers['x-hookwarden-person'])).toEqual([consolePerson(), consolePerson()]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
