import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { startKeyringSession, type KeyringSession } from '../helpers/keyring-session.js';
import { spawnConsole, type ConsoleProcess } from '../helpers/console-process.js';
import { spawnReceiver, type ReceiverProcess } from '../helpers/receiver-process.js';
import { tempDir } from '../helpers/test-receiver.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const SCREENS = join(ROOT, 'test-artifacts', 'screens');

/** Debian's Chromium, headless. */
export function launchChromium(): Promise<Browser> {
  mkdirSync(SCREENS, { recursive: true });
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * Controls without a name a screen reader could announce: none is allowed on any screen. Runs in
 * the page, so it is written as a string (this file is type-checked with Node's types, not the DOM's).
 */
export const unlabelledControls = (page: Page) =>
  page.evaluate<string[]>(`[...document.querySelectorAll('input, select, textarea, button, a[href], [tabindex="0"]')]
    .filter((control) => !(control.labels && control.labels.length > 0) && !control.getAttribute('aria-label')
      && !control.getAttribute('aria-labelledby') && control.textContent.trim() === '')
    .map((control) => control.outerHTML.slice(0, 120))`);

/**
 * Saves the whole screen as a user scrolls it, after checking that every control has a name.
 * A revealed secret is masked: secrets stay out of artifacts.
 */
export function screenshotter(page: Page, viewport = { width: 1280, height: 800 }): (name: string) => Promise<void> {
  return async (name) => {
    await expect(unlabelledControls(page)).resolves.toEqual([]);
    // The pointer is moved away so that no tooltip or hover state ends up in the picture.
    await page.mouse.move(0, 0);
    const height = await page.evaluate<number>('document.documentElement.scrollHeight');
    await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, Math.min(height, 4000)) });
    await page.screenshot({ path: join(SCREENS, `${name}.png`), mask: [page.getByTestId('revealed-secret')] });
    await page.setViewportSize(viewport);
  };
}

export interface ConsoleHarness {
  readonly keyring: KeyringSession;
  readonly nodes: readonly ReceiverProcess[];
  /** The console's URL with its token, as it printed it. */
  readonly url: string;
  readonly browser: Browser;
  readonly page: Page;
  /** Calls a console command over browser mode's /rpc, as the page does. */
  rpc<T>(command: string, input: unknown): Promise<T>;
  /** Saves the page (the whole screen's height) under test-artifacts/screens, revealed secrets masked. */
  screenshot(name: string): Promise<void>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  readonly token: string;
  readonly integrations: readonly Record<string, unknown>[];
  readonly nodeCount?: number;
}

/**
 * The console as an operator uses it: browser mode (the built renderer and services) in Debian's
 * Chromium, against real receiver nodes on loopback, with a real keychain. Needs `npm run build`.
 */
export async function startConsoleHarness(options: HarnessOptions): Promise<ConsoleHarness> {
  const keyring = await startKeyringSession();
  const nodes: ReceiverProcess[] = [];
  let console_: ConsoleProcess | undefined;
  let browser: Browser | undefined;
  const stop = async () => {
    await browser?.close();
    await console_?.stop();
    for (const node of nodes) node.child.kill('SIGKILL');
    await keyring.stop();
  };
  try {
    for (let i = 0; i < (options.nodeCount ?? 2); i++) {
      nodes.push(
        await spawnReceiver(tempDir(), {
          node: { id: `eu-${i + 1}` },
          ingress: { listen: '127.0.0.1:0' },
          admin: { listen: '127.0.0.1:0', tokens: [{ name: 'console', sha256: createHash('sha256').update(options.token).digest('hex'), scope: 'admin', payloads: true }] },
          storage: { path: './data', sync: 'normal' },
          integrations: options.integrations,
        }),
      );
    }
    console_ = await spawnConsole(keyring.env);
    const { url } = console_;
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const consoleToken = new URL(url).searchParams.get('token') ?? '';
    const origin = new URL(url).origin;
    return {
      keyring,
      nodes,
      url,
      browser,
      page,
      async rpc<T>(command: string, input: unknown): Promise<T> {
        const response = await fetch(`${origin}/rpc/${command}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hookwarden-token': consoleToken }, body: JSON.stringify(input) });
        const answer = (await response.json()) as { ok: true; result: T } | { ok: false; error: { message: string } };
        if (!answer.ok) throw new Error(`${command}: ${answer.error.message}`);
        return answer.result;
      },
      screenshot: screenshotter(page),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
