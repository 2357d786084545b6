import { createHash, randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKeyringSession, type KeyringSession } from '../helpers/keyring-session.js';
import { spawnReceiver, type ReceiverProcess } from '../helpers/receiver-process.js';
import { newSecret, sampleBody, sign } from '../helpers/signers.js';
import { post, tempDir } from '../helpers/test-receiver.js';
import { spawnConsole, type ConsoleProcess } from '../helpers/console-process.js';
import { launchChromium, screenshotter } from './console-harness.js';

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
  let console_: ConsoleProcess;
  let browser: Browser;
  let page: Page;
  let screenshot: (name: string) => Promise<void>;

  beforeAll(async () => {
    keyring = await startKeyringSession();
    for (let i = 0; i < 2; i++) {
      nodes.push(
        await spawnReceiver(tempDir(), {
          node: { id: `eu-${i + 1}` },
          ingress: { listen: '127.0.0.1:0' },
          admin: { listen: '127.0.0.1:0', tokens: [{ name: 'console', sha256: createHash('sha256').update(token).digest('hex'), scope: 'admin', payloads: true }] },
          storage: { path: './data', sync: 'normal' },
          integrations: [{ id: 'stripe-payments', scheme: 'stripe', secrets: [{ id: 's1', value: secret }] }],
        }),
      );
    }
    console_ = await spawnConsole(keyring.env);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    screenshot = screenshotter(page);
    await page.goto(console_.url);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await console_?.stop();
    for (const node of nodes) node.child.kill('SIGKILL');
  });

  const inPage = <T,>(expression: string) => page.evaluate<T>(expression);

  it('greets a first run with what to do, and keeps the token out of the address bar', async () => {
    await page.getByRole('heading', { name: 'No fleet connected yet' }).waitFor();
    expect(page.url()).not.toContain('token=');
    await screenshot('first-run');
  });

  it('adds a fleet of two nodes and shows each node up', async () => {
    await page.getByRole('button', { name: 'Add a fleet' }).first().click();
    await page.getByLabel('Name').fill('production EU');
    await page.getByLabel('Admin API URLs, one per line').fill(nodes.map((node) => node.adminUrl).join('\n'));
    await page.getByLabel('Admin token').fill(token);
    await page.getByRole('button', { name: 'Test before saving' }).click();
    const tested = page.getByRole('table', { name: 'Connection test' });
    await tested.getByRole('row').nth(2).waitFor();
    await expect(tested.getByRole('cell', { name: 'reachable', exact: true }).count()).resolves.toBe(2);
    await expect(tested.getByRole('cell', { name: /^accepted/ }).count()).resolves.toBe(2);
    await screenshot('add-fleet');
    await page.getByRole('button', { name: 'Test and add the fleet' }).click();
    const card = page.getByRole('article', { name: 'Fleet production EU' });
    await card.waitFor();
    await card.getByText('2 of 2 nodes up').waitFor();
    await expect(card.getByRole('cell', { name: 'up', exact: true }).count()).resolves.toBe(2);
    await expect(card.getByText('token in the OS keychain').isVisible()).resolves.toBe(true);
    expect(keyring.secretTool('search', '--all', 'service', 'Hookwarden').stdout).toContain('fleet:');
    await screenshot('fleets');
  });

  it('shows the fleet\'s integration in the inventory', async () => {
    await page.getByRole('link', { name: 'Inventory' }).click();
    const row = page.getByRole('table', { name: 'Integrations' }).getByRole('row').filter({ hasText: 'stripe-payments' });
    await row.getByRole('link', { name: 'stripe-payments' }).waitFor();
    await expect(row.getByText('2 nodes agree').isVisible()).resolves.toBe(true);
    await screenshot('inventory');
  });

  it('shows signed deliveries to both nodes arriving live, with a bad signature named', async () => {
    await page.getByRole('link', { name: 'Live' }).click();
    for (const node of nodes) {
      expect((await post(`${node.ingressUrl}/hooks/stripe-payments`, await sign('stripe', { secret, body: sampleBody('stripe') }))).status).toBe(202);
    }
    expect((await post(`${nodes[0]!.ingressUrl}/hooks/stripe-payments`, await sign('stripe', { secret: newSecret('stripe'), body: sampleBody('stripe') }))).status).toBe(401);
    // A proxy that adds a newline to the signed body: the receiver names the cause.
    const signed = await sign('stripe', { secret, body: sampleBody('stripe') });
    expect((await post(`${nodes[1]!.ingressUrl}/hooks/stripe-payments`, { ...signed, body: `${signed.body}\n` })).status).toBe(401);
    const list = page.getByRole('list', { name: 'Deliveries, newest first' });
    await list.getByText('signature_invalid (body trailing newline)').waitFor({ timeout: 10_000 });
    await expect.poll(() => list.getByRole('listitem').count()).toBe(4);
    await page.getByText('2 of 2 node streams live').waitFor();

    // Paused, the list holds still and counts what arrives meanwhile.
    await page.getByRole('button', { name: 'Pause' }).click();
    expect((await post(`${nodes[0]!.ingressUrl}/hooks/stripe-payments`, await sign('stripe', { secret, body: sampleBody('stripe') }))).status).toBe(202);
    await page.getByRole('button', { name: 'Resume (1 new)' }).waitFor({ timeout: 10_000 });
    await expect.poll(() => list.getByRole('listitem').count()).toBe(4);
    await page.getByRole('button', { name: 'Resume (1 new)' }).click();
    await expect.poll(() => list.getByRole('listitem').count()).toBe(5);

    await page.getByRole('combobox', { name: /^Outcome/ }).selectOption('rejected');
    await expect.poll(() => list.getByRole('listitem').count()).toBe(2);
    await screenshot('live');
    await page.getByRole('combobox', { name: /^Outcome/ }).selectOption('all');
  });

  it('charts the bad signature on the Failures screen', async () => {
    await page.getByRole('link', { name: 'Failures' }).click();
    await page.locator('.recharts-area').first().waitFor();
    await page.locator('.recharts-legend-item-text', { hasText: 'signature_invalid' }).waitFor();
    await page.getByRole('region', { name: 'What the receiver found' }).getByText(/A proxy or framework changed the body before it reached the receiver/).waitFor();
    await expect(page.getByRole('table', { name: 'Failures by reason' }).getByRole('row').filter({ hasText: 'signature_invalid' }).getByRole('cell').nth(1).textContent()).resolves.toBe('2');
    await screenshot('failures');
    // A click leads to the matching deliveries.
    await page.getByRole('table', { name: 'Failures by reason' }).getByRole('link', { name: 'Show in Live' }).click();
    await page.getByRole('heading', { name: 'Live', exact: true }).waitFor();
    await expect(page.getByRole('combobox', { name: /^Reason/ }).inputValue()).resolves.toBe('signature_invalid');
    await expect.poll(() => page.getByRole('list', { name: 'Deliveries, newest first' }).getByRole('listitem').count()).toBe(2);
  });

  it('rotates Stripe\'s secret by pasting the rolled one: old and new both accepted until the old is retired, then the old gets 401', async () => {
    await page.getByRole('link', { name: 'Inventory' }).click();
    await page.getByRole('link', { name: 'stripe-payments' }).click();
    await page.getByRole('heading', { name: 'Secrets' }).waitFor();
    await screenshot('integration');
    // Stripe issues the secret ("Roll secret" in its dashboard): the console takes the one it gave.
    const rotated = newSecret('stripe');
    await page.getByRole('button', { name: /Rotate: paste Stripe’s new secret/ }).click();
    await page.getByLabel('New signing secret from Stripe').fill(rotated);
    await page.getByRole('button', { name: 'Add it to every node' }).click();
    const added = page.getByRole('status', { name: 'New secret added' });
    await added.waitFor();
    const rotatedId = /Secret (\S+) is on the nodes/.exec((await added.textContent()) ?? '')?.[1] ?? '';
    expect(await page.content()).not.toContain(rotated);
    expect(await inPage<string>('JSON.stringify({ ...sessionStorage, ...localStorage })')).not.toContain(rotated);
    await page.getByRole('button', { name: 'Close', exact: true }).click();
    for (const node of nodes) {
      for (const key of [secret, rotated]) expect((await post(`${node.ingressUrl}/hooks/stripe-payments`, await sign('stripe', { secret: key, body: sampleBody('stripe') }))).status).toBe(202);
    }
    // The old secret's overlap starts only when the operator says the sender signs with the new one.
    await page.getByRole('button', { name: `The sender uses ${rotatedId} — start the overlap` }).click();
    await page.getByRole('status', { name: 'Cutover confirmed' }).waitFor();
    // The cutover chart follows both secrets (it refreshes on its own every quarter minute).
    await page.locator('.recharts-legend-item-text', { hasText: `secret ${rotatedId}` }).waitFor({ timeout: 20_000 });
    await page.getByText('still in use (last 15 min)').waitFor();
    await screenshot('integration-cutover');
    // Senders still signed with s1 a moment ago: retiring it asks first.
    await page.getByRole('button', { name: 'Retire old now' }).click();
    await page.getByRole('button', { name: 'Retire s1' }).click();
    await page.getByRole('list', { name: 'Retirement per node' }).getByText(/applied/).first().waitFor();
    for (const node of nodes) {
      expect((await post(`${node.ingressUrl}/hooks/stripe-payments`, await sign('stripe', { secret, body: sampleBody('stripe') }))).status).toBe(401);
      expect((await post(`${node.ingressUrl}/hooks/stripe-payments`, await sign('stripe', { secret: rotated, body: sampleBody('stripe') }))).status).toBe(202);
    }
  });

  it('engages the kill switch on every node (503) and releases it', async () => {
    await page.getByLabel(/^Reject \(503/).check();
    await page.getByLabel('Reason (required, kept in the audit log)').fill('incident 42: downstream outage');
    await page.getByRole('button', { name: 'Engage kill switch…' }).click();
    await page.getByRole('button', { name: 'Engage', exact: true }).click();
    await page.getByText('engaged: reject').waitFor();
    await page.getByRole('list', { name: 'Kill switch per node' }).waitFor();
    await screenshot('integration-killed');
    for (const node of nodes) expect((await post(`${node.ingressUrl}/hooks/stripe-payments`, await sign('stripe', { secret: newSecret('stripe'), body: sampleBody('stripe') }))).status).toBe(503);
    await page.getByLabel('Reason for releasing').fill('outage over');
    await page.getByRole('button', { name: 'Release', exact: true }).click();
    await page.getByRole('button', { name: 'Release now' }).click();
    await page.getByRole('button', { name: /Rotate: paste Stripe’s new secret/ }).waitFor();
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
    await page.getByRole('link', { name: 'stripe-payments' }).waitFor();
    await expect(page.locator('html').getAttribute('data-theme')).resolves.toBe('dark');
    await page.getByRole('img', { name: /deliveries of stripe-payments per hour/ }).waitFor();
    await screenshot('inventory-dark');
  });

  it('keeps the failures readable in the dark theme', async () => {
    await page.getByRole('link', { name: 'Failures' }).click();
    await page.locator('.recharts-area').first().waitFor();
    await screenshot('failures-dark');
  });

  it('can be driven by the keyboard, with a visible focus', async () => {
    // A reload keeps the console's token (held for this tab) and starts the keyboard at the top.
    await page.goto(page.url().replace(/#.*$/, '#fleets'));
    await page.reload();
    await page.getByRole('article', { name: 'Fleet production EU' }).waitFor();
    await page.keyboard.press('Tab');
    await expect(inPage('document.activeElement.textContent')).resolves.toBe('Skip to the screen');
    await page.keyboard.press('Enter');
    await expect(inPage('document.activeElement.id')).resolves.toBe('main');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await expect(inPage('document.activeElement.textContent')).resolves.toBe('Test connection');
    const outline = await inPage<string>('getComputedStyle(document.activeElement).outlineStyle');
    expect(outline).toBe('solid');
    await screenshot('keyboard-focus');
  });
});
