import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consolePerson } from '../../electron/main/services/fleets/admin-client.js';
import { startDownstream, type DownstreamService } from '../helpers/downstream-service.js';
import { freePort } from '../helpers/free-port.js';
import { spawnReceiver, type ReceiverProcess } from '../helpers/receiver-process.js';
import { jwsSigner, newSecret, sampleBody, sign, type JwsSigner } from '../helpers/signers.js';
import { post, tempDir } from '../helpers/test-receiver.js';
import { SCREENS } from './console-harness.js';
import { addFleet, openConsole, type ConsoleSession } from './console-session.js';

/**
 * Rotation that cannot cause an outage, redrive, the local receiver's port and secrets, the fleet
 * audit timeline, a JWS integration's key set, and tables at 1024×700: each as an operator meets
 * it, in Chromium, against two real receiver nodes on loopback.
 */
describe('acting on a fleet from the console', { timeout: 120_000 }, () => {
  const token = randomBytes(24).toString('base64url');
  const ordersSecret = newSecret('standard-webhooks');
  const nodes: ReceiverProcess[] = [];
  let device: JwsSigner;
  let downstream: DownstreamService;
  let session: ConsoleSession;
  let page: Page;
  let fleetId = '';

  beforeAll(async () => {
    device = await jwsSigner('device-key-1');
    downstream = await startDownstream();
    for (let i = 0; i < 2; i++) {
      const dir = tempDir();
      writeFileSync(join(dir, 'jwks.json'), JSON.stringify(device.jwks));
      nodes.push(
        await spawnReceiver(dir, {
          node: { id: `act-${i + 1}` },
          ingress: { listen: '127.0.0.1:0' },
          admin: { listen: '127.0.0.1:0', tokens: [{ name: 'console', sha256: createHash('sha256').update(token).digest('hex'), scope: 'admin', payloads: true }] },
          storage: { path: './data', sync: 'normal' },
          downstream: { type: 'http', url: downstream.url, initialBackoffMs: 5, maxBackoffMs: 50 },
          integrations: [
            { id: 'orders', scheme: 'standard-webhooks', secrets: [{ id: 's1', value: ordersSecret }] },
            { id: 'iot', scheme: 'jws', jws: { jwks: { file: 'jwks.json' } } },
          ],
        }),
      );
    }
    // Clipboard access, so that "Copy the secret" works as it does for an operator.
    session = await openConsole({ context: { permissions: ['clipboard-read', 'clipboard-write'] } });
    page = session.page;
    await addFleet(page, { name: 'act fleet', adminUrls: nodes.map((node) => node.adminUrl ?? ''), token });
    const fleets = JSON.parse(readFileSync(join(session.userDataDir, 'settings.json'), 'utf8')) as { fleets: { id: string }[] };
    fleetId = fleets.fleets[0]?.id ?? '';
  }, 90_000);

  afterAll(async () => {
    await session?.close();
    for (const node of nodes) node.child.kill('SIGKILL');
    await downstream?.close();
  });

  const deliverOrder = async (node: ReceiverProcess, secret: string) =>
    (await post(`${node.ingressUrl}/hooks/orders`, await sign('standard-webhooks', { secret, body: sampleBody('standard-webhooks') }))).status;
  const openIntegration = async (integrationId: string) => {
    await page.goto(`${page.url().split('#')[0]}#integration/${fleetId}/${integrationId}`);
    await page.getByRole('heading', { name: new RegExp(`^${integrationId}`) }).waitFor();
  };
  let accepted = 0;

  it('keeps a shown-once secret from being lost by a navigation click, and starts the old secret\'s overlap only once the cutover is confirmed', async () => {
    await openIntegration('orders');
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByRole('button', { name: 'Generate and add' }).click();
    const revealed = page.getByTestId('revealed-secret');
    await revealed.waitFor();
    const rotated = (await revealed.textContent()) ?? '';
    expect(rotated).toMatch(/^whsec_/);

    // A click on the navigation would have lost the secret for good: it is refused, and says why.
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Inventory' }).click();
    await page.getByRole('alert').getByText('Copy the secret or close this first').waitFor();
    expect(page.url()).toContain(`#integration/${fleetId}/orders`);
    await expect(revealed.textContent()).resolves.toBe(rotated);
    await session.screenshot('act-rotation-navigation-blocked');
    await page.getByRole('button', { name: 'Copy the secret' }).click();
    await page.getByText('Copied', { exact: true }).waitFor();
    await expect(session.inPage<string>('navigator.clipboard.readText()')).resolves.toBe(rotated);

    // Both verify; the old one has no expiry while the operator has not confirmed the cutover.
    for (const node of nodes) {
      for (const key of [ordersSecret, rotated]) expect(await deliverOrder(node, key)).toBe(202);
      accepted += 2;
    }
    await page.getByRole('button', { name: /I have stored it/ }).click();
    const secrets = page.getByRole('region', { name: 'Secrets' });
    await secrets.getByText('Rotation waiting for the sender').waitFor();
    const oldRow = secrets.getByRole('row').filter({ hasText: 's1' });
    await oldRow.getByText('rotating').waitFor();
    await expect(oldRow.getByText(/expiring/).count()).resolves.toBe(0);
    await session.screenshot('act-rotation-pending');

    await secrets.getByLabel('1 hour').check();
    await secrets.getByRole('button', { name: /^The sender uses .* — start the overlap$/ }).click();
    await page.getByRole('status', { name: 'Cutover confirmed' }).getByText(/applied on all 2 nodes/).waitFor();
    await oldRow.getByText(/expiring — /).waitFor();
    for (const node of nodes) {
      for (const key of [ordersSecret, rotated]) expect(await deliverOrder(node, key)).toBe(202);
      accepted += 2;
    }

    // The inventory reads the overlap as a rotation under way, not as an old secret to rotate.
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Inventory' }).click();
    await page.getByRole('table', { name: 'Integrations' }).getByRole('row').filter({ hasText: 'orders' }).getByText(/rotating \(/).waitFor();
  });

  it('redrives a time range: the count first, then a confirmation, then the result per node', async () => {
    // What was accepted has been handed downstream: that is what a redrive sends again.
    await expect.poll(() => downstream.received.length, { timeout: 30_000 }).toBe(accepted);
    await openIntegration('orders');
    const redrive = page.getByRole('region', { name: 'Redrive' });
    await redrive.getByRole('button', { name: 'Count deliveries' }).click();
    const confirm = redrive.getByRole('group', { name: 'Confirm redrive' });
    await confirm.getByText(`${accepted} deliveries`, { exact: true }).waitFor();
    await session.screenshot('act-redrive-count');
    await confirm.getByRole('button', { name: `Redrive ${accepted} deliveries` }).click();
    const result = redrive.getByRole('status', { name: 'Redrive result' });
    await result.getByText(`${accepted} re-sent`).waitFor();
    await expect(result.getByRole('listitem').count()).resolves.toBe(2);
    await expect.poll(() => downstream.received.length, { timeout: 30_000 }).toBe(2 * accepted);
  });

  it('shows every node\'s audit chain as one timeline, newest first, with the token and the person', async () => {
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Audit' }).click();
    const timeline = page.getByRole('table', { name: 'Audit timeline, newest first' });
    await timeline.waitFor();
    await expect(page.getByRole('region', { name: 'Chain per node' }).getByText('chain verified').count()).resolves.toBe(2);
    const rows = timeline.getByRole('row').filter({ hasText: consolePerson() });
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(4);
    for (const node of nodes) await expect(timeline.getByText(node.adminUrl?.replace('http://', '') ?? '').count()).resolves.toBeGreaterThan(0);
    const times = await timeline.locator('tbody tr td:first-child').evaluateAll((cells) => cells.map((cell) => cell.getAttribute('title') ?? ''));
    expect(times).toEqual([...times].sort().reverse());
    await session.screenshot('act-audit');
  });

  it('shows a JWS integration\'s key set, the key that verified, and an unknown key id', async () => {
    const body = JSON.stringify({ reading: 21.5 });
    expect((await post(`${nodes[0]!.ingressUrl}/hooks/iot`, { body, headers: { 'content-type': 'application/json', 'x-jws-signature': await device.sign(body, { iat: Math.floor(Date.now() / 1000) }) } })).status).toBe(202);
    const stranger = await jwsSigner('rotated-key-2');
    expect((await post(`${nodes[0]!.ingressUrl}/hooks/iot`, { body, headers: { 'content-type': 'application/json', 'x-jws-signature': await stranger.sign(body, { iat: Math.floor(Date.now() / 1000) }) } })).status).toBe(401);
    await openIntegration('iot');
    const keys = page.getByRole('table', { name: 'Keys loaded' });
    await keys.getByRole('row').filter({ hasText: 'device-key-1' }).getByText('ES256').waitFor();
    // The inventory refreshes every 15 s: wait on the counts, generously.
    await keys.getByRole('row').filter({ hasText: 'device-key-1' }).getByRole('cell', { name: '1', exact: true }).waitFor({ timeout: 45_000 });
    await page.getByRole('table', { name: 'Unknown key ids seen' }).getByText('rotated-key-2').waitFor({ timeout: 45_000 });
    await expect(page.getByRole('button', { name: /Rotate/ }).count()).resolves.toBe(0);
    await session.screenshot('act-jws');
  });

  it('runs the local receiver on a remembered port, says when a port is taken, and reveals and sets a local secret', async () => {
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Local receiver' }).click();
    const port = page.getByLabel('Port on 127.0.0.1');
    await expect(port.inputValue()).resolves.toBe(String(session.localPort));

    const squatter: Server = createServer();
    const taken = await new Promise<number>((resolve) => squatter.listen(0, '127.0.0.1', () => resolve((squatter.address() as { port: number }).port)));
    try {
      await port.fill(String(taken));
      await page.getByRole('button', { name: 'Start' }).click();
      await page.getByText(`port ${taken} on 127.0.0.1 is taken by another program`).waitFor();
      await session.screenshot('act-local-port-taken');
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
    const chosen = await freePort();
    await port.fill(String(chosen));
    await page.getByRole('button', { name: 'Start' }).click();
    await page.getByText(`Listening at http://127.0.0.1:${chosen}`).waitFor();
    const settings = JSON.parse(readFileSync(join(session.userDataDir, 'settings.json'), 'utf8')) as { localReceiver: { port?: number } };
    expect(settings.localReceiver.port).toBe(chosen);

    const row = page.getByRole('table', { name: 'Local integrations' }).getByRole('row').filter({ hasText: 'local-stripe' });
    await row.getByRole('button', { name: 'Reveal the secret of local-stripe' }).click();
    await expect(row.getByTestId('revealed-secret').textContent()).resolves.toMatch(/^whsec_/);
    await session.screenshot('act-local-secret');
    await row.getByRole('button', { name: 'Hide' }).click();

    // The secret `stripe listen` prints, pasted in: the local receiver verifies with it at once.
    const listenSecret = newSecret('stripe');
    await row.getByRole('button', { name: 'Set the secret of local-stripe…' }).click();
    await row.getByLabel('New secret for local-stripe').fill(listenSecret);
    await row.getByRole('button', { name: 'Use this secret' }).click();
    await row.getByText(/^Now verifying with /).waitFor();
    const signed = await sign('stripe', { secret: listenSecret, body: sampleBody('stripe') });
    expect((await post(`http://127.0.0.1:${chosen}/hooks/local-stripe`, signed)).status).toBe(202);
    expect(await page.content()).not.toContain(listenSecret);
  });

  it('fits or scrolls every table at 1024×700, with the first column pinned and the inventory\'s failure rate and drift reachable', async () => {
    await page.setViewportSize({ width: 1024, height: 700 });
    try {
      await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Inventory' }).click();
      const table = page.getByRole('table', { name: 'Integrations' });
      await table.getByRole('row').filter({ hasText: 'orders' }).waitFor();
      // The page itself never scrolls sideways: a wide table scrolls inside its own box.
      await expect(session.inPage<number>('document.documentElement.scrollWidth')).resolves.toBeLessThanOrEqual(1024);
      await page.screenshot({ path: join(SCREENS, 'act-inventory-1024x700.png') });
      const box = table.locator('xpath=..');
      await box.evaluate((element) => element.scrollTo({ left: element.scrollWidth }));
      for (const column of ['Failure rate', 'Drift and warnings']) {
        const header = await table.getByRole('columnheader', { name: column }).boundingBox();
        expect(header && header.x >= 0 && header.x + header.width <= 1024 && header.y + header.height <= 700, `${column} on screen`).toBe(true);
      }
      const [pinned, boxLeft] = await Promise.all([table.locator('tbody tr td:first-child').first().boundingBox(), box.evaluate((element) => element.getBoundingClientRect().left)]);
      expect(Math.abs((pinned?.x ?? -1) - boxLeft)).toBeLessThanOrEqual(1);
      await page.screenshot({ path: join(SCREENS, 'act-inventory-1024x700-scrolled.png') });

      for (const screen of ['Audit', 'Fleets', 'Failures', 'Local receiver', 'Replay']) {
        await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: screen }).click();
        await page.getByRole('heading', { name: screen, exact: true }).waitFor();
        await page.locator('table').first().waitFor();
        await expect(session.inPage<number>('document.documentElement.scrollWidth'), `${screen} at 1024 px`).resolves.toBeLessThanOrEqual(1024);
      }
      await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Audit' }).click();
      await page.getByRole('table', { name: 'Audit timeline, newest first' }).waitFor();
      await page.screenshot({ path: join(SCREENS, 'act-audit-1024x700.png') });
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });
});
