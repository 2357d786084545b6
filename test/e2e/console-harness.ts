import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { tempDir } from '../helpers/test-receiver.js';

const ROOT = join(import.meta.dirname, '..', '..');
export const SCREENS = join(ROOT, 'test-artifacts', 'screens');

export interface ConsoleProcess {
  readonly child: ChildProcess;
  /** The URL the console printed, with its per-launch token. */
  readonly url: string;
  stop(): void;
}

/** The console in browser mode, as `npm run web` runs it (the built dist), with a fresh user-data folder. */
export async function startConsoleProcess(env: NodeJS.ProcessEnv): Promise<ConsoleProcess> {
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'electron', 'main', 'web', 'cli.js'), '--port', '0'], {
    env: { ...process.env, HOOKWARDEN_USER_DATA: tempDir(), ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /^Hookwarden console: (\S+)$/.exec(line);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`the console exited (${code})`)));
  });
  return { child, url, stop: () => void child.kill('SIGTERM') };
}

/** Debian's Chromium, headless. */
export function launchChromium(): Promise<Browser> {
  mkdirSync(SCREENS, { recursive: true });
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * Saves the whole screen as a user scrolls it, after checking that every control has a name a
 * screen reader could announce. Runs in the page, so the check is a string (test code is typed
 * with Node's types, not the DOM's). A revealed secret is masked: secrets stay out of artifacts.
 */
export function screenshotter(page: Page): (name: string) => Promise<void> {
  const unlabelledControls = () =>
    page.evaluate<string[]>(`[...document.querySelectorAll('input, select, textarea, button, a[href], [tabindex="0"]')]
      .filter((control) => !(control.labels && control.labels.length > 0) && !control.getAttribute('aria-label')
        && !control.getAttribute('aria-labelledby') && control.textContent.trim() === '')
      .map((control) => control.outerHTML.slice(0, 120))`);
  return async (name) => {
    await expect(unlabelledControls()).resolves.toEqual([]);
    // The pointer is moved away so that no tooltip or hover state ends up in the picture.
    await page.mouse.move(0, 0);
    const height = await page.evaluate<number>('document.documentElement.scrollHeight');
    await page.setViewportSize({ width: 1280, height: Math.max(800, Math.min(height, 4000)) });
    await page.screenshot({ path: join(SCREENS, `${name}.png`), mask: [page.getByTestId('revealed-secret')] });
    await page.setViewportSize({ width: 1280, height: 800 });
  };
}
