import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive, descendants, listening } from '../../helpers/process-tree.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const DEMO = join(ROOT, 'dist', 'electron', 'main', 'demo', 'cli.js');
const SCREENS = join(ROOT, 'test-artifacts', 'screens');
const DEMO_INTEGRATIONS = ['stripe-payments', 'github-repo', 'shopify-orders', 'slack-events', 'billing-events', 'partner-notifications'];

interface Bucket {
  readonly integrationId: string;
  readonly outcome: string;
  readonly reason: string | null;
  readonly count: number;
}
interface NodeStats {
  readonly url: string;
  readonly stats?: { buckets: Bucket[]; diagnoses: Array<{ diagnosis: string; count: number }>; topRejectedSources: Array<{ sourceIp: string }>; clockSkewMs: { count: number } };
}

/**
 * `npm run demo` as a newcomer runs it (the built entry, as the npm script does after building):
 * the console answers with three nodes and real traffic of every kind, and SIGINT leaves no process,
 * port or folder behind. HOME is a fresh folder and D-Bus points nowhere, so the test also shows the
 * demo writes no settings and needs no keychain.
 */
describe('npm run demo', () => {
  const home = mkdtempSync(join(tmpdir(), 'hookwarden-demo-home-'));
  const output: string[] = [];
  let demo: ChildProcess;
  let consoleUrl: URL;
  let exited: Promise<number | string>;

  const rpc = async <T>(command: string, input: object = {}): Promise<T> => {
    const response = await fetch(new URL(`/rpc/${command}`, consoleUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hookwarden-token': consoleUrl.searchParams.get('token') ?? '' },
      body: JSON.stringify(input),
    });
    const answer = (await response.json()) as { ok: boolean; result?: T; error?: { message: string } };
    if (!answer.ok) throw new Error(`${command}: ${answer.error?.message}`);
    return answer.result as T;
  };

  beforeAll(async () => {
    // Incidents every 2 s instead of 2 min: the opening round then takes seconds, not a minute.
    // --browser: on a machine with Electron and a display the demo would otherwise open the desktop console.
    demo = spawn(process.execPath, [DEMO, '--port', '0', '--incident-every', '2', '--browser'], {
      env: { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    exited = new Promise((resolve) => demo.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
    demo.stderr?.resume();
    consoleUrl = await new Promise<URL>((resolve, reject) => {
      createInterface({ input: demo.stdout! }).on('line', (line) => {
        output.push(line);
        const match = /^Hookwarden console: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)$/.exec(line);
        if (match?.[1]) resolve(new URL(match[1]));
      });
      void exited.then((code) => reject(new Error(`the demo exited (${code}) before the console was ready:\n${output.join('\n')}`)));
    });
  }, 120_000);

  afterAll(async () => {
    if (demo?.exitCode === null) demo.kill('SIGKILL');
    rmSync(home, { recursive: true, force: true });
  });

  it('connects the console to a fleet of three healthy nodes', async () => {
    const fleets = await rpc<Array<{ id: string; name: string; tokenStorage: string; nodes: Array<{ ok: boolean }> }>>('fleets.list');
    expect(fleets).toHaveLength(1);
    expect(fleets[0]).toMatchObject({ name: 'Demo fleet', tokenStorage: 'session' });
    expect(fleets[0]?.nodes.map((node) => node.ok)).toEqual([true, true, true]);
    expect(output.join('\n')).toContain('sharing Redis at redis://127.0.0.1:');
    expect(output[0]).toBe('--browser given: opening the console in browser mode');
  });

  it('lists the demo integrations beside the local receiver\'s', async () => {
    const integrations = await rpc<Array<{ fleetId: string; id: string }>>('integrations.list');
    const fleetIntegrations = integrations.filter((entry) => entry.fleetId !== 'local').map((entry) => entry.id);
    expect([...new Set(fleetIntegrations)].sort()).toEqual([...DEMO_INTEGRATIONS].sort());
    expect(integrations.some((entry) => entry.fleetId === 'local')).toBe(true);
  });

  it('shows real traffic of every kind: accepted, duplicates, and each incident\'s failure', async () => {
    const [fleet] = await rpc<Array<{ id: string }>>('fleets.list');
    const wanted = ['accepted', 'duplicate', 'signature_invalid', 'signature_missing', 'signature_retired_secret', 'timestamp_stale', 'ip_not_allowed', 'body_reserialized_json'];
    let seen = new Set<string>();
    let stats: NodeStats[] = [];
    // The opening round of incidents takes some seconds; a busy machine may need many more.
    // Integrations with a small share of the traffic (partner-notifications) may need a while too: wait for both.
    const acceptedIn = () => new Set(stats.flatMap((node) => (node.stats?.buckets ?? []).filter((bucket) => ['accepted', 'held'].includes(bucket.outcome)).map((bucket) => bucket.integrationId)));
    const complete = () => wanted.every((kind) => seen.has(kind)) && DEMO_INTEGRATIONS.every((id) => acceptedIn().has(id));
    const deadline = Date.now() + 150_000;
    while (!complete() && Date.now() < deadline) {
      stats = await rpc<NodeStats[]>('stats.get', { fleetId: fleet!.id });
      seen = new Set(
        stats.flatMap((node) => [
          ...(node.stats?.buckets ?? []).flatMap((bucket) => [bucket.outcome, bucket.reason ?? '']),
          ...(node.stats?.diagnoses ?? []).map((entry) => entry.diagnosis),
        ]),
      );
      if (!complete()) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    expect(wanted.filter((kind) => !seen.has(kind))).toEqual([]);
    expect(stats).toHaveLength(3);
    // Every node took its share of the traffic, as behind a load balancer.
    for (const node of stats) expect(node.stats?.buckets.some((bucket) => bucket.outcome === 'accepted')).toBe(true);
    // partner-notifications is parked on hold by the demo: its deliveries are accepted as `held`.
    expect([...acceptedIn()].sort()).toEqual([...DEMO_INTEGRATIONS].sort());
    expect(stats.flatMap((node) => node.stats!.topRejectedSources.map((source) => source.sourceIp))).toContain('203.0.113.24');
    expect(stats.some((node) => node.stats!.clockSkewMs.count > 0)).toBe(true);
  }, 180_000);

  it('fills every screen with the demo\'s data (screenshots in test-artifacts/screens/demo-*.png)', async () => {
    mkdirSync(SCREENS, { recursive: true });
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      // The whole screen, as a user scrolls it; the pointer away so that no hover state is in the picture.
      const screenshot = async (name: string) => {
        await page.mouse.move(0, 0);
        const height = await page.evaluate<number>('document.documentElement.scrollHeight');
        await page.setViewportSize({ width: 1280, height: Math.max(800, Math.min(height, 4000)) });
        await page.screenshot({ path: join(SCREENS, `demo-${name}.png`) });
        await page.setViewportSize({ width: 1280, height: 800 });
      };
      const open = (screen: string) => page.getByRole('link', { name: screen, exact: true }).click();
      const timeout = { timeout: 60_000 };
      await page.goto(consoleUrl.href);

      await page.getByRole('article', { name: 'Fleet Demo fleet' }).getByText('3 of 3 nodes up').waitFor(timeout);
      await screenshot('fleets');

      await open('Inventory');
      const inventory = page.getByRole('table', { name: 'Integrations' });
      for (const id of DEMO_INTEGRATIONS) await inventory.getByRole('link', { name: id }).waitFor(timeout);
      await inventory.getByRole('row').filter({ hasText: 'partner-notifications' }).getByText('held').first().waitFor(timeout);
      await screenshot('inventory');

      await open('Live');
      const live = page.getByRole('list', { name: 'Deliveries, newest first' });
      await live.getByText('accepted').first().waitFor(timeout);
      await live.getByText('rejected').first().waitFor(timeout);
      await screenshot('live');

      await open('Failures');
      await page.locator('.recharts-area').first().waitFor(timeout);
      await page.getByRole('region', { name: 'What the receiver found' }).getByText(/re-serialised/).waitFor(timeout);
      await page.getByRole('table', { name: 'Failures by reason' }).getByText('signature_retired_secret').waitFor(timeout);
      await screenshot('failures');

      await open('Inventory');
      await inventory.getByRole('link', { name: 'shopify-orders' }).click();
      await page.getByRole('heading', { name: 'Secrets' }).waitFor(timeout);
      await page.getByText('expired').first().waitFor(timeout);
      await screenshot('integration');

      await open('Local receiver');
      await page.getByText(/Listening at http:\/\/127\.0\.0\.1:\d+/).waitFor(timeout);
      // The demo sends the local receiver a test delivery every 15 s; the list shows what arrived while it is open.
      await page.getByRole('table', { name: 'Local deliveries' }).getByRole('row').nth(1).waitFor(timeout);
      await screenshot('local-receiver');

      await open('Replay');
      await page.getByRole('table', { name: 'Captured deliveries' }).getByRole('row').nth(1).waitFor(timeout);
      await screenshot('replay');

      await open('Audit');
      await page.getByText('partner-notifications').first().waitFor(timeout);
      await screenshot('audit');
    } finally {
      await browser.close();
    }
  }, 240_000);

  it('stops everything on SIGINT: no process, no listening port, no folder, nothing in HOME', async () => {
    const children = descendants(demo.pid!);
    expect(children.length).toBeGreaterThanOrEqual(4); // three nodes and redis-server
    const ports = [...output.join('\n').matchAll(/127\.0\.0\.1:(\d+)/g)].map((match) => Number(match[1]));
    const dataDir = /their data in (\S+)$/m.exec(output.join('\n'))?.[1];
    expect(ports.length).toBeGreaterThanOrEqual(8); // console, redis, and each node's ingress and admin
    expect(dataDir && existsSync(dataDir)).toBe(true);

    demo.kill('SIGINT');
    await expect(exited).resolves.toBe(0);
    for (const pid of children) expect(alive(pid), `process ${pid} is still running`).toBe(false);
    for (const port of ports) await expect(listening(port), `port ${port} still listens`).resolves.toBe(false);
    expect(existsSync(dataDir!)).toBe(false);
    expect(readdirSync(home)).toEqual([]);
  }, 60_000);
});
