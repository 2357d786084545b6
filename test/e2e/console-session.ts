import type { BrowserContextOptions, Page } from 'playwright-core';
import { startKeyringSession, type KeyringSession } from '../helpers/keyring-session.js';
import { spawnConsole } from '../helpers/console-process.js';
import { launchChromium, screenshotter } from './console-harness.js';

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
  const keyring = await startKeyringSession();
  const console_ = await spawnConsole(keyring.env).catch(async (error: unknown) => {
    await keyring.stop();
    throw error;
  });
  const close = async () => {
    await browser?.close();
    await console_.stop();
    await keyring.stop();
  };
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  try {
    browser = await launchChromium();
    const page = await browser.newPage({ viewport, ...options.context });
    await page.goto(console_.url);
    return {
      keyring,
      page,
      userDataDir: console_.userDataDir,
      localPort: console_.localPort,
      inPage: <T,>(expression: string) => page.evaluate<T>(expression),
      screenshot: screenshotter(page, viewport),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
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
