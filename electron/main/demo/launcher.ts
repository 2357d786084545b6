import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type Launcher = { readonly mode: 'desktop'; readonly electron: string } | { readonly mode: 'browser'; readonly reason: string };

/** What decides where the demo opens; the two Electron questions are asked only when they matter. */
export interface LauncherFacts {
  readonly browserFlag: boolean;
  readonly platform: NodeJS.Platform;
  readonly env: NodeJS.ProcessEnv;
  /** Electron's binary, or why there is none. */
  readonly findElectron: () => { readonly path: string } | { readonly missing: string };
  /** True when the binary runs here, otherwise why it does not. */
  readonly electronStarts: (path: string) => true | string;
  /** True when the native modules (SQLite, keychain) load in that Electron, otherwise why they do not. */
  readonly nativeModulesLoad: (path: string) => true | string;
}

const BROWSER = 'opening the console in browser mode';

/**
 * The desktop console where Electron is installed, starts, and has a display to open a window on;
 * browser mode otherwise, with the one reason why. The binary is run last: it is the slow question.
 */
export function chooseLauncher(facts: LauncherFacts): Launcher {
  if (facts.browserFlag) return { mode: 'browser', reason: `--browser given: ${BROWSER}` };
  const electron = facts.findElectron();
  if ('missing' in electron) return { mode: 'browser', reason: `Electron is not installed here (${electron.missing}): ${BROWSER}` };
  if (!hasDisplay(facts.platform, facts.env)) return { mode: 'browser', reason: `there is no display (DISPLAY and WAYLAND_DISPLAY are unset): ${BROWSER}` };
  const starts = facts.electronStarts(electron.path);
  if (starts !== true) return { mode: 'browser', reason: `Electron is installed but does not start here (${starts}): ${BROWSER}` };
  const native = facts.nativeModulesLoad(electron.path);
  if (native !== true) return { mode: 'browser', reason: `the native modules are not built for Electron (${native}; \`npx electron-builder install-app-deps\` builds them for it): ${BROWSER}` };
  return { mode: 'desktop', electron: electron.path };
}

/** macOS and Windows always have one for a logged-in user; elsewhere an X11 or Wayland session says so. */
function hasDisplay(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): boolean {
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/**
 * Where the `electron` package put its binary, read as its own index.js reads it (with its
 * ELECTRON_OVERRIDE_DIST_PATH for a binary kept elsewhere). Not `require('electron')`: from plain
 * Node that starts a download when the binary is missing, and throws when it fails.
 */
export function findElectron(root: string, env: NodeJS.ProcessEnv = process.env): { path: string } | { missing: string } {
  let packageDir: string;
  try {
    packageDir = dirname(createRequire(join(root, 'package.json')).resolve('electron/package.json'));
  } catch {
    return { missing: 'no electron package in node_modules' };
  }
  const pathFile = join(packageDir, 'path.txt');
  const name = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  if (!override && !name) return { missing: 'its binary was never downloaded' };
  const path = override ? join(override, name || 'electron') : join(packageDir, 'dist', name);
  return existsSync(path) ? { path } : { missing: `${path} does not exist` };
}

/** `electron --version`: a binary that cannot load its libraries fails here rather than after the build. */
export function electronStarts(path: string): true | string {
  const run = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
  if (run.error) return run.error.message;
  if (run.status === 0 && /^v\d+/.test(run.stdout.trim())) return true;
  return `\`electron --version\` exited ${run.status ?? run.signal}: ${run.stderr.trim().split('\n')[0] ?? ''}`;
}

/**
 * Whether better-sqlite3 and keytar load in that Electron, run as Node. `npm ci` builds them for
 * Node's ABI; the desktop demo runs the console and its receiver nodes in Electron, so it needs them
 * built for Electron's (`electron-builder install-app-deps`), or it would open a window that fails.
 */
export function nativeModulesLoad(path: string, root: string): true | string {
  const run = spawnSync(path, ['-e', "require('better-sqlite3'); require('@github/keytar')"], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (run.error) return run.error.message;
  if (run.status === 0) return true;
  const message = run.stderr.split('\n').find((line) => /NODE_MODULE_VERSION|Error:/.test(line)) ?? `exit ${run.status ?? run.signal}`;
  return message.trim().slice(0, 200);
}
