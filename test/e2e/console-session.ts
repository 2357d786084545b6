import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { startKeyringSession, type KeyringSession } from '../helpers/keyring-session.js';
import { freePort } from '../helpers/free-port.js';
import { tempDir } from '../helpers/test-receiver.js';

const ROOT = join(import.meta.dirname, '..', '..');
export const SCREENS = join(ROOT, 'test-artifacts', 'screens');

export interface ConsoleSession {
  readonly keyring: KeyringSession;
  readonly page: Page;
  readonly userDataDir: string;
  /** The local receiver's remembered port: a free one, so that tests never fight over 4455. */
  readonly localPort: number;
  /** Evaluates `expression` in the page (test code is type-checked with Node's types, not the DOM's). */
  inPage<T>(expression: string): Promise<T>;
  /** Checks every control has a name, then saves the whole screen at the viewport's width; secrets masked. */
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}


/**
 * The console as an operator runs it: browser mode (the built renderer and services, from dist/)
 * with a real keychain (a private gnome-keyring), opened in Debian's Chromium.
 */
export async function openConsole(options: { viewport?: { width: number; height: number }; context?: BrowserContextOptions } = {}): Promise<ConsoleSession> {
  const viewport = options.viewport ?? { width: 1280, height: 800 };
  mkdirSync(SCREENS, { recursive: true });
  const keyring = await startKeyringSession();
  const userDataDir = tempDir();
  const localPort = await freePort();
  writeFileSync(join(userDataDir, 'settings.json'), JSON.stringify({ version: 1, fleets: [], localReceiver: { port: localPort }, preferences: {} }));
  let consoleProcess: ChildProcess | undefined;
  let browser: Browser | undefined;
  try {
    consoleProcess = spawn(process.execPath, [join(ROOT, 'dist', 'electron', 'main', 'web', 'cli.js'), '--port', '0'], {
      env: { ...process.env, ...keyring.env, HOOKWARDEN_USER_DATA: userDataDir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const started = consoleProcess;
    const url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: started.stdout! }).on('line', (line) => {
        const match = /^Hookwarden console: (\S+)$/.exec(line);
        if (match?.[1]) resolve(match[1]);
      });
      started.once('exit', (code) => reject(new Error(`the console exited (${code})`)));
    });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage({ viewport, ...options.context });
    await page.goto(url);
    return session(page, browser, consoleProcess, keyring, userDataDir, localPort, viewport);
  } catch (error) {
    await browser?.close();
    consoleProcess?.kill('SIGTERM');
    await keyring.stop();
    throw error;
  }
}

function session(page: Page, browser: Browser, consoleProcess: ChildProcess, keyring: KeyringSession, userDataDir: string, localPort: number, viewport: { width: number; height: number }): ConsoleSession {
  const inPage = <T,>(expression: string) => page.evaluate<T>(expression);
  /** Controls without a name a screen reader could announce: none is allowed on any screen. */
  const unlabelledControls = () =>
    inPage<string[]>(`[...document.querySelectorAll('input, select, textarea, button, a[href], [tabindex="0"]')]
      .filter((control) => !(control.labels && control.labels.length > 0) && !control.getAttribute('aria-label')
        && !control.getAttribute('aria-labelledby') && control.textContent.trim() === '')
      .map((control) => control.outerHTML.slice(0, 120))`);
  return {
    keyring,
    page,
    userDataDir,
    localPort,
    inPage,
    async screenshot(name) {
      await expect(unlabelledControls()).resolves.toEqual([]);
      // The pointer is moved away so that no tooltip or hover state ends up in the picture, and the
      // window is made as tall as the screen's content, so the whole screen is seen as a user scrolls it.
      await page.mouse.move(0, 0);
      const height = await inPage<number>('document.documentElement.scrollHeight');
      await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, Math.min(height, 4000)) });
      // A revealed secret is masked: secrets stay out of test artifacts, even throwaway ones.
      await page.screenshot({ path: join(SCREENS, `${name}.png`), mask: [page.getByTestId('revealed-secret')] });
      await page.setViewportSize(viewport);
    },
    async close() {
      await browser.close();
      const exited = new Promise((resolve) => consoleProcess.once('exit', resolve));
      if (consoleProcess.exitCode === null) {
        consoleProcess.kill('SIGTERM');
        await exited;
      }
      await keyring.stop();
    },
  };
}

/** Adds a fleet through the Fleets form, as an operator would, and waits for its card. */
export async function addFleet(page: Page, fleet: { name: string; adminUrls: readonly string[]; token: string }): Promise<void> {
  await page.getByRole('link', { name: 'Fleets' }).click();
  await page.getByRole('button', { name: 'Add a fleet' }).first().click();
  await page.getByLabel('Name').fill(fleet.name);
  await page.getByLabel('Admin API URLs, one per line').fill(fleet.adminUrls.join('\n'));
  await page.getByLabel('Admin token').fill(fleet.token);
  await page.getByRole('button', { name: 'Add the fleet' }).click();
  await page.getByRole('article', { name: `Fleet ${fleet.name}` }).waitFor();
}
