import { createHash, randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKeyringSession, type KeyringSession } from '../helpers/keyring-session.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { spawnReceiver, type ReceiverProcess } from '../helpers/receiver-process.js';
import { rawRequest } from '../helpers/raw-request.js';
import { newSecret, sampleBody, sign } from '../helpers/signers.js';
import { post, tempDir } from '../helpers/test-receiver.js';
import { freePort } from '../helpers/free-port.js';
import { spawnConsole, type ConsoleProcess } from '../helpers/console-process.js';
import { launchChromium, screenshotter } from './console-harness.js';

/**
 * The console during an incident, in Debian's Chromium against the real console process (browser
 * mode), two real receiver nodes sharing one real redis-server, and a real keychain. Redis is
 * stopped, a node is killed and restarted, and the console must say so truthfully each time.
 * Waits are on conditions with generous limits: the console polls node health every 5 s.
 */
// Per test: a node's restart and the console's 5 s health rounds take a while on a busy machine.
describe('the console tells the truth during an incident', { timeout: 120_000 }, () => {
  const adminToken = randomBytes(24).toString('base64url');
  const readToken = randomBytes(24).toString('base64url');
  const secret = newSecret('stripe');
  const masterKey = randomBytes(32).toString('hex');
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
  const nodes: { dir: string; config: Record<string, unknown>; process: ReceiverProcess; adminUrl: string; ingressUrl: string }[] = [];
  let redis: RedisServer;
  let keyring: KeyringSession;
  let console_: ConsoleProcess;
  let browser: Browser;
  let page: Page;
  let screenshot: (name: string) => Promise<void>;
  /** Whether the nodes answer GET /admin/v1/whoami (the admin API grows it in this release). */
  let whoamiAnswers = false;
  const ALERT_WAIT = { timeout: 30_000 };

  const startNode = async (index: number) => {
    const node = nodes[index]!;
    node.process = await spawnReceiver(node.dir, node.config, { HOOKWARDEN_MASTER_KEY: masterKey });
  };
  const stopNode = async (index: number) => {
    const node = nodes[index]!;
    node.process.child.kill('SIGKILL');
    await node.process.exited;
  };
  const nav = (name: string | RegExp) => page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name }).click();
  const deliver = async (index: number) => (await post(`${nodes[index]!.ingressUrl}/hooks/pay`, await sign('stripe', { secret, body: sampleBody('stripe') }))).status;

  beforeAll(async () => {
    keyring = await startKeyringSession();
    redis = await startRedisServer();
    const keyPrefix = `e2e${randomBytes(3).toString('hex')}`;
    for (let index = 0; index < 2; index++) {
      // Fixed ports: a node restarted after a crash is the same node at the same address.
      const [adminPort, ingressPort] = [await freePort(), await freePort()];
      const config = {
        node: { id: `eu-${index + 1}` },
        ingress: { listen: `127.0.0.1:${ingressPort}` },
        admin: {
          listen: `127.0.0.1:${adminPort}`,
          tokens: [
            { name: 'console', sha256: sha256(adminToken), scope: 'admin' },
            { name: 'viewer', sha256: sha256(readToken), scope: 'read' },
          ],
        },
        storage: { path: './data', sync: 'normal' },
        redis: { url: redis.url, keyPrefix },
        integrations: [{ id: 'pay', scheme: 'stripe', secrets: [{ id: 's1', value: secret }] }],
      };
      nodes.push({ dir: tempDir(), config, process: undefined as unknown as ReceiverProcess, adminUrl: `http://127.0.0.1:${adminPort}`, ingressUrl: `http://127.0.0.1:${ingressPort}` });
      await startNode(index);
    }
    whoamiAnswers = (await fetch(`${nodes[0]!.adminUrl}/admin/v1/whoami`, { headers: { authorization: `Bearer ${readToken}` } })).status === 200;
    console_ = await spawnConsole(keyring.env);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    screenshot = screenshotter(page);
    await page.goto(console_.url);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await console_?.stop();
    for (const node of nodes) node.process?.child.kill('SIGKILL');
    await redis?.stop();
    await keyring?.stop();
  });

  it('answers a malformed URL with 400, token or not, and keeps running', async () => {
    const { port } = new URL(console_.url);
    const send = (method: string, path: string, headers: Record<string, string> = {}) => rawRequest(port, method, path, headers);
    const token = new URL(console_.url).searchParams.get('token') ?? '';
    expect(await send('GET', '/%E0%A4%A')).toBe(400);
    expect(await send('POST', '/rpc/%E0%A4%A')).toBe(400);
    expect(await send('POST', '/rpc/%E0%A4%A', { 'x-hookwarden-token': token })).toBe(400);
    expect(await send('GET', '/assets/%')).toBe(400);
    expect(console_.child.exitCode).toBeNull();
    await page.getByRole('heading', { name: 'No fleet connected yet' }).waitFor();
  });

  it('tests a fleet before saving it: a wrong token is named and not saved, a good test clears the error, a URL given twice is one node', async () => {
    await page.getByRole('button', { name: 'Add a fleet' }).first().click();
    await page.getByLabel('Name').fill('production EU');
    await page.getByLabel('Admin API URLs, one per line').fill([nodes[0]!.adminUrl, `${nodes[0]!.adminUrl}/`, nodes[1]!.adminUrl].join('\n'));
    await page.getByLabel('Admin token').fill(randomBytes(24).toString('base64url'));
    await page.getByRole('button', { name: 'Test and add the fleet' }).click();
    await page.getByText(/The test failed on 2 of 2 nodes: not saved/).waitFor();
    const tested = page.getByRole('table', { name: 'Connection test' });
    await expect(tested.getByRole('row').count()).resolves.toBe(3);
    await expect(tested.getByText(/^token refused:/).count()).resolves.toBe(2);
    await page.getByRole('button', { name: 'Save anyway' }).waitFor();
    await screenshot('fleet-form-refused');

    await page.getByLabel('Admin token').fill(adminToken);
    await expect(page.getByText(/The test failed/).count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'Test before saving' }).click();
    await page.getByText('The test passed on every node.').waitFor();
    await expect(tested.getByRole('cell', { name: /^accepted \(scope (admin|unknown)\)$/ }).count()).resolves.toBe(2);
    await page.getByRole('button', { name: 'Test and add the fleet' }).click();
    const card = page.getByRole('article', { name: 'Fleet production EU' });
    await card.getByText('2 of 2 nodes up').waitFor();
    await expect(card.getByRole('table', { name: 'Nodes of production EU' }).getByRole('row').count()).resolves.toBe(3);
    await card.getByText(whoamiAnswers ? 'scope: admin' : 'scope unknown').waitFor();
  });

  it('with Redis down: the fleet refuses traffic, says why, raises an alert within seconds, and Test connection shows it; then recovers', async () => {
    expect(await deliver(0)).toBe(202);
    await redis.kill();
    expect(await deliver(0)).toBe(503);
    const toasts = page.getByRole('region', { name: 'New alerts' });
    await toasts.getByText(/production EU refuses traffic/).waitFor(ALERT_WAIT);
    const card = page.getByRole('article', { name: 'Fleet production EU' });
    await card.getByText('2 of 2 nodes up, refusing traffic: Redis down').waitFor(ALERT_WAIT);
    await expect(card.getByRole('cell', { name: 'refusing traffic' }).count()).resolves.toBe(2);
    await card.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => card.getByRole('table', { name: 'Connection test' }).getByRole('cell', { name: 'refusing traffic' }).count(), ALERT_WAIT).toBe(2);
    await screenshot('fleets-redis-down');

    await nav(/^Notifications/);
    const list = page.getByRole('list', { name: 'Alerts, newest first' });
    await list.getByText(/production EU refuses traffic/).waitFor();
    await screenshot('notifications');
    await list.getByRole('link', { name: "Show the fleet's health" }).first().click();
    await page.getByRole('heading', { name: 'Fleets', exact: true }).waitFor();

    await redis.restart();
    await page.getByRole('region', { name: 'New alerts' }).getByText(/production EU takes traffic again/).waitFor(ALERT_WAIT);
    await card.getByText('2 of 2 nodes up').waitFor(ALERT_WAIT);
    await expect.poll(() => deliver(1), ALERT_WAIT).toBe(202);
  });

  it('lets toasts go by themselves, while the notification list keeps them', async () => {
    await page.getByRole('region', { name: 'New alerts' }).waitFor({ state: 'detached', timeout: 60_000 });
    await nav(/^Notifications/);
    await expect.poll(() => page.getByRole('list', { name: 'Alerts, newest first' }).getByRole('listitem').count()).toBeGreaterThanOrEqual(2);
    await page.getByRole('button', { name: 'Acknowledge all' }).click();
    await page.getByText(/, 0 not acknowledged/).waitFor();
  });

  it('with a read-only token: the kill switch is disabled with the reason, or its refusal is named as the scope\'s', async () => {
    await nav('Fleets');
    await page.getByRole('button', { name: 'Add a fleet' }).click();
    await page.getByLabel('Name').fill('viewer');
    await page.getByLabel('Admin API URLs, one per line').fill(nodes.map((node) => node.adminUrl).join('\n'));
    await page.getByLabel('Admin token').fill(readToken);
    await page.getByRole('button', { name: 'Test and add the fleet' }).click();
    await page.getByRole('article', { name: 'Fleet viewer' }).getByText('2 of 2 nodes up').waitFor();
    await nav('Inventory');
    await page.getByRole('table', { name: 'Integrations' }).getByRole('row').filter({ hasText: 'viewer' }).getByRole('link', { name: 'pay' }).click();
    await page.getByRole('heading', { name: 'Kill switch' }).waitFor();
    if (whoamiAnswers) {
      await page.getByText(/token has the read scope: engaging or releasing the kill switch needs operate/).waitFor();
      await expect(page.getByRole('button', { name: 'Engage kill switch…' }).isDisabled()).resolves.toBe(true);
    } else {
      await page.getByLabel(/^Reject \(503/).check();
      await page.getByLabel('Reason (required, kept in the audit log)').fill('viewer tries');
      await page.getByRole('button', { name: 'Engage kill switch…' }).click();
      await page.getByRole('button', { name: 'Engage', exact: true }).click();
      await page.getByText("refused by the token's scope on 2 of 2 nodes — nothing changed there").waitFor();
      await expect(page.getByText(/out of step/).count()).resolves.toBe(0);
    }
    await screenshot('kill-switch-read-only');
    expect(await deliver(0)).toBe(202);
  });

  it('when a node goes down: an alert, and the inventory and failures mark their figures partial', async () => {
    await stopNode(1);
    await page.getByRole('region', { name: 'New alerts' }).getByText(new RegExp(`${nodes[1]!.adminUrl} of production EU does not answer`)).waitFor(ALERT_WAIT);
    await nav('Inventory');
    const row = page.getByRole('table', { name: 'Integrations' }).getByRole('row').filter({ hasText: 'production EU' });
    await expect.poll(() => row.getByText('partial: 1 of 2 nodes').count(), ALERT_WAIT).toBe(2);
    await screenshot('inventory-partial');
    // The failure charts are one node's too, and say so.
    await nav('Failures');
    await page.getByRole('heading', { name: /^Failures/ }).getByText('partial: 1 of 2 nodes').waitFor(ALERT_WAIT);
    await nav('Inventory');
  });

  it('kill switch with a node down: failed there, and once the node is back and takes the kill from Redis the result says so, with no stale "out of step"', async () => {
    await page.getByRole('table', { name: 'Integrations' }).getByRole('row').filter({ hasText: 'production EU' }).getByRole('link', { name: 'pay' }).click();
    await page.getByLabel(/^Reject \(503/).check();
    await page.getByLabel('Reason (required, kept in the audit log)').fill('incident 42');
    await page.getByRole('button', { name: 'Engage kill switch…' }).click();
    await page.getByRole('button', { name: 'Engage', exact: true }).click();
    await page.getByText('failed on 1 of 2 nodes; retry each below').waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Retry on this node' }).waitFor();
    expect(await deliver(0)).toBe(503);

    await startNode(1);
    expect(await deliver(1)).toBe(503);
    await page.getByText('applied on all 2 nodes').waitFor(ALERT_WAIT);
    await page.getByRole('list', { name: 'Kill switch per node' }).getByText(/applied since/).waitFor();
    await expect(page.getByText(/out of step/).count()).resolves.toBe(0);
    await screenshot('kill-switch-recheck');

    await page.getByLabel('Reason for releasing').fill('over');
    await page.getByRole('button', { name: 'Release', exact: true }).click();
    await page.getByRole('button', { name: 'Release now' }).click();
    await page.getByText('Engage kill switch…').waitFor();
    await expect.poll(() => deliver(1)).toBe(202);
  });

  it('held deliveries: the count is read fresh before the choice, and what happened to them is shown after', async () => {
    await page.getByLabel(/^Hold \(202/).check();
    await page.getByLabel('Reason (required, kept in the audit log)').fill('downstream maintenance');
    await page.getByRole('button', { name: 'Engage kill switch…' }).click();
    await page.getByRole('button', { name: 'Engage', exact: true }).click();
    await page.getByText('engaged: hold').waitFor();
    // Held on arrival, after the screen last read the count.
    for (const index of [0, 1, 0]) expect(await deliver(index)).toBe(202);
    await page.getByLabel('Reason for releasing').fill('maintenance over');
    await page.getByRole('button', { name: 'Release and deliver what was held' }).click();
    await page.getByText('3 held deliveries', { exact: true }).waitFor();
    await screenshot('held-before-release');
    await page.getByRole('button', { name: 'Release now' }).click();
    await page.getByText('3 held deliveries released downstream').waitFor({ timeout: 20_000 });
    await screenshot('held-released');
  });
});
