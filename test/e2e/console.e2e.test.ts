import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKeyringSession, type KeyringSession } from '../helpers/keyring-session.js';
import { spawnReceiver, type ReceiverProcess } from '../helpers/receiver-process.js';
import { newSecret, sampleBody, sign } from '../helpers/signers.js';
import { post, tempDir } from '../helpers/test-receiver.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SCREENS = join(ROOT, 'test-artifacts', 'screens');

/**
 * The console as an operator uses it: browser mode (the built renderer and services) in Debian's
 * Chromium, against two real receiver nodes on loopback, with a real keychain for the token.
 * Every screen is saved under test-artifacts/screens.
 */
describe('the console in Chromium', () => {
  const token = randomBytes(24).toString('base64url');
  const secret = newSecret('stripe');
  const nodes: ReceiverProcess[] = [];
  let keyring: KeyringSession;
  let console_: ChildProcess;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(SCREENS, { recursive: true });
    keyring = await startKeyringSession();
    for (let i = 0; i < 2; i++) {
      nodes.push(
        await spawnReceiver(tempDir(), {
          node: { id: `eu-${i + 1}` },
          ingress: { listen: '127.0.0.1:0' },
          admin: { listen: '127.0.0.1:0', tokens: [{ name: 'console', sha256: createHash('sha256').update(token).digest('hex'), scope: 'admin' }] },
          storage: { path: './data', sync: 'normal' },
          integrations: [{ id: 'stripe-payments', scheme: 'stripe', secrets: [{ id: 's1', value: secret }] }],
        }),
      );
    }
    console_ = spawn(process.execPath, [join(ROOT, 'dist', 'electron', 'main', 'web', 'cli.js'), '--port', '0'], {
      env: { ...process.env, ...keyring.env, HOOKWARDEN_USER_DATA: tempDir() },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: console_.stdout! }).on('line', (line) => {
        const match = /^Hookwarden console: (\S+)$/.exec(line);
        if (match?.[1]) resolve(match[1]);
      });
      console_.once('exit', (code) => reject(new Error(`the console exited (${code})`)));
    });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(url);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    console_?.kill('SIGTERM');
    for (const node of nodes) node.child.kill('SIGKILL');
    await keyring?.stop();
  });

  // A revealed secret is masked: secrets stay out of test artifacts, even throwaway ones.
  const screenshot = (name: string) => page.screenshot({ path: join(SCREENS, `${name}.png`), mask: [page.getByTestId('revealed-secret')] });

  it('greets a first run with what to do, and keeps the token out of the address bar', async () => {
    await page.getByRole('heading', { name: 'No fleet connected yet' }).waitFor();
    expect(page.url()).not.toContain('token=');
    await screenshot('first-run');
  });

  it('adds a fleet of two nodes and shows each node healthy', async () => {
    await page.getByRole('button', { name: 'Add a fleet' }).first().click();
    await page.getByLabel('Name').fill('production EU');
    await page.getByLabel('Admin API URLs, one per line').fill(nodes.map((node) => node.adminUrl).join('\n'));
    await page.getByLabel('Admin token').fill(token);
    await screenshot('add-fleet');
    await page.getByRole('button', { name: 'Add and test' }).click();
    const card = page.getByRole('article', { name: 'Fleet production EU' });
    await card.waitFor();
    await expect(card.getByText('live').count()).resolves.toBe(2);
    await expect(card.getByText('token: keychain').isVisible()).resolves.toBe(true);
    expect(keyring.secretTool('search', '--all', 'service', 'Hookwarden').stdout).toContain('fleet:');
    await screenshot('fleets');
  });

  it('shows the fleet\'s integration in the inventory', async () => {
    await page.getByRole('link', { name: 'Inventory' }).click();
    await page.getByRole('cell', { name: 'stripe-payments', exact: true }).waitFor();
    await screenshot('inventory');
  });

  it('shows signed deliveries to both nodes arriving live, with a bad signature named', async () => {
    await page.getByRole('link', { name: 'Live' }).click();
    for (const node of nodes) {
      expect((await post(`${node.ingressUrl}/hooks/stripe-payments`, await sign('stripe', { secret, body: sampleBody('stripe') }))).status).toBe(202);
    }
    expect((await post(`${nodes[0]!.ingressUrl}/hooks/stripe-payments`, await sign('stripe', { secret: newSecret('stripe'), body: sampleBody('stripe') }))).status).toBe(401);
    await page.getByRole('list', { name: 'Deliveries, newest first' }).getByText('signature_invalid').waitFor({ timeout: 10_000 });
    await expect(page.getByRole('list', { name: 'Deliveries, newest first' }).getByRole('listitem').count()).resolves.toBeGreaterThanOrEqual(3);
    await screenshot('live');
  });

  it('charts the bad signature on the Failures screen', async () => {
    await page.getByRole('link', { name: 'Failures' }).click();
    await page.getByText('Failures by reason').waitFor();
    await page.waitForTimeout(1500);
    await screenshot('failures');
    await page.locator('.recharts-area').first().waitFor();
    await page.locator('.recharts-legend-item-text', { hasText: 'signature_invalid' }).waitFor();
    await screenshot('failures');
  });

  it('rotates the secret once: shown once, old and new both accepted until the old is retired, then the old gets 401', async () => {
    await page.getByRole('link', { name: 'Inventory' }).click();
    await page.getByRole('link', { name: 'stripe-payments' }).click();
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByRole('button', { name: 'Rotate now' }).click();
    const revealed = page.getByTestId('revealed-secret');
    await revealed.waitFor();
    const rotated = (await revealed.textContent()) ?? '';
    expect(rotated).toMatch(/^whsec_/);
    await expect(page.getByText('You will not see this secret again.').isVisible()).resolves.toBe(true);
    await screenshot('integration-rotated');
    await page.getByRole('button', { name: /I have stored it/ }).click();
    expect(await page.content()).not.toContain(rotated);
    for (const node of nodes) {
      for (const key of [secret, rotated]) expect((await post(`${node.ingressUrl}/hooks/stripe-payments`, await sign('stripe', { secret: key, body: sampleBody('stripe') }))).status).toBe(202);
    }
    await page.getByRole('button', { name: 'Retire s1 now' }).click();
    await page.getByRole('list', { name: 'Per-node acknowledgement' }).getByText('applied').first().waitFor();
    for (const node of nodes) {
      expect((await post(`${node.ingressUrl}/hooks/stripe-payments`, await sign('stripe', { secret, body: sampleBody('stripe') }))).status).toBe(401);
      expect((await post(`${node.ingressUrl}/hooks/stripe-payments`, await sign('stripe', { secret: rotated, body: sampleBody('stripe') }))).status).toBe(202);
    }
  });

  it('engages the kill switch on every node (503) and releases it', async () => {
    await page.getByLabel('reject', { exact: false }).first().check();
    await page.getByLabel('Reason (required, kept in the audit log)').fill('incident 42: downstream outage');
    await page.getByRole('button', { name: 'Engage kill switch…' }).click();
    await page.getByRole('button', { name: 'Engage', exact: true }).click();
    await page.getByText(/Engaged in mode/).waitFor();
    await screenshot('integration-killed');
    for (const node of nodes) expect((await post(`${node.ingressUrl}/hooks/stripe-payments`, await sign('stripe', { secret: newSecret('stripe'), body: sampleBody('stripe') }))).status).toBe(503);
    await page.getByLabel('Reason for releasing').fill('outage over');
    await page.getByRole('button', { name: /^Release/ }).first().click();
    await page.getByRole('button', { name: 'Rotate secret' }).waitFor();
    await page.getByText('Engage kill switch…').waitFor();
    for (const node of nodes) expect((await post(`${node.ingressUrl}/hooks/stripe-payments`, await sign('stripe', { secret: newSecret('stripe'), body: sampleBody('stripe') }))).status).toBe(401);
  });

  it('runs the local receiver and its test deliveries from the console', async () => {
    await page.getByRole('link', { name: 'Local receiver' }).click();
    await page.getByRole('button', { name: 'Start' }).click();
    await page.getByText(/Listening at http:\/\/127\.0\.0\.1:\d+/).waitFor();
    await page.getByRole('button', { name: 'Send test delivery' }).click();
    await page.getByRole('table', { name: 'Test results' }).getByText('accepted').waitFor();
    await screenshot('local-receiver');
  });

  it('opens a delivery\'s details from the live list', async () => {
    await page.getByRole('link', { name: 'Live' }).click();
    await page.getByRole('list', { name: 'Deliveries, newest first' }).getByRole('listitem').first().click();
    await page.getByRole('dialog').getByText('Verification').waitFor();
    await screenshot('live-detail');
    await page.getByRole('button', { name: 'Close the delivery details' }).click();
  });

  it('replays a production capture to the local receiver, re-signed, and shows its verification', async () => {
    await page.getByRole('link', { name: 'Replay' }).click();
    const accepted = page.getByRole('table', { name: 'Captured deliveries' }).getByRole('row').filter({ hasText: 'accepted' }).first();
    await accepted.getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Replay 1 delivery' }).click();
    const result = page.getByRole('table', { name: 'Replay results' }).getByRole('row').nth(1);
    await result.getByRole('cell', { name: '202', exact: true }).waitFor();
    await expect(result.textContent()).resolves.toMatch(/signature: .*local/);
    await screenshot('replay');
  });

  it('shows the audit trail with its chain verified', async () => {
    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByText('chain verified').first().waitFor();
    await screenshot('audit');
  });

  it('switches to the dark theme', async () => {
    await page.getByRole('button', { name: 'Dark theme' }).click();
    await page.getByRole('link', { name: 'Inventory' }).click();
    await page.getByRole('cell', { name: 'stripe-payments', exact: true }).waitFor();
    await expect(page.locator('html').getAttribute('data-theme')).resolves.toBe('dark');
    await page.getByRole('img', { name: /deliveries and failures of stripe-payments/ }).waitFor();
    await screenshot('inventory-dark');
  });
});
