import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { demoArgumentsIn, electronDemoArguments, parseDemoArguments } from '../../../electron/main/demo/demo-options.js';
import { chooseLauncher, electronStarts, findElectron, nativeModulesLoad, type LauncherFacts } from '../../../electron/main/demo/launcher.js';

const ELECTRON = '/opt/electron/electron';

function facts(overrides: Partial<LauncherFacts> = {}): LauncherFacts {
  return { browserFlag: false, platform: 'linux', env: { DISPLAY: ':0' }, findElectron: () => ({ path: ELECTRON }), electronStarts: () => true, nativeModulesLoad: () => true, ...overrides };
}

describe('where `npm run demo` opens the console', () => {
  it('opens the desktop console where Electron is installed, starts, and has a display', () => {
    expect(chooseLauncher(facts())).toEqual({ mode: 'desktop', electron: ELECTRON });
    expect(chooseLauncher(facts({ env: { WAYLAND_DISPLAY: 'wayland-0' } }))).toEqual({ mode: 'desktop', electron: ELECTRON });
  });

  it('needs no DISPLAY on macOS and Windows', () => {
    for (const platform of ['darwin', 'win32'] as const) expect(chooseLauncher(facts({ platform, env: {} })).mode).toBe('desktop');
  });

  it('opens browser mode on --browser without looking for Electron', () => {
    const findElectron = vi.fn(() => ({ path: ELECTRON }));
    expect(chooseLauncher(facts({ browserFlag: true, findElectron }))).toEqual({ mode: 'browser', reason: '--browser given: opening the console in browser mode' });
    expect(findElectron).not.toHaveBeenCalled();
  });

  it('says Electron is not installed, and why', () => {
    const launcher = chooseLauncher(facts({ findElectron: () => ({ missing: 'its binary was never downloaded' }) }));
    expect(launcher).toEqual({ mode: 'browser', reason: 'Electron is not installed here (its binary was never downloaded): opening the console in browser mode' });
  });

  it('says there is no display on Linux without DISPLAY or WAYLAND_DISPLAY, without running Electron', () => {
    const electronStarts = vi.fn(() => true as const);
    for (const env of [{}, { DISPLAY: '' }]) {
      const launcher = chooseLauncher(facts({ env, electronStarts }));
      expect(launcher).toEqual({ mode: 'browser', reason: 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset): opening the console in browser mode' });
    }
    expect(electronStarts).not.toHaveBeenCalled();
  });

  it('says Electron does not start when its binary fails', () => {
    const launcher = chooseLauncher(facts({ electronStarts: () => 'libnss3.so: cannot open shared object file' }));
    expect(launcher).toEqual({ mode: 'browser', reason: 'Electron is installed but does not start here (libnss3.so: cannot open shared object file): opening the console in browser mode' });
  });

  it('opens browser mode, saying how to fix it, while the native modules are built for Node and not for Electron', () => {
    const launcher = chooseLauncher(facts({ nativeModulesLoad: () => 'was compiled against a different Node.js version using NODE_MODULE_VERSION 115' }));
    expect(launcher).toEqual({
      mode: 'browser',
      reason:
        'the native modules are not built for Electron (was compiled against a different Node.js version using NODE_MODULE_VERSION 115; `npx electron-builder install-app-deps` builds them for it): opening the console in browser mode',
    });
  });
});

describe("Electron's binary, found and tried as the launcher does", () => {
  const root = mkdtempSync(join(tmpdir(), 'hookwarden-launcher-'));
  const electronDir = join(root, 'node_modules', 'electron');
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(electronDir, 'dist'), { recursive: true });
  writeFileSync(join(root, 'package.json'), '{"name":"app"}');
  writeFileSync(join(electronDir, 'package.json'), '{"name":"electron","main":"index.js"}');
  const script = (name: string, body: string): string => {
    const path = join(electronDir, 'dist', name);
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
    return path;
  };

  it('reads the binary from path.txt, and names what is missing', () => {
    const bare = mkdtempSync(join(tmpdir(), 'hookwarden-launcher-bare-'));
    expect(findElectron(bare, {})).toEqual({ missing: 'no electron package in node_modules' });
    rmSync(bare, { recursive: true });
    expect(findElectron(root, {})).toEqual({ missing: 'its binary was never downloaded' });
    writeFileSync(join(electronDir, 'path.txt'), 'electron');
    expect(findElectron(root, {})).toEqual({ missing: `${join(electronDir, 'dist', 'electron')} does not exist` });
    const binary = script('electron', 'echo v45.4.1');
    expect(findElectron(root, {})).toEqual({ path: binary });
  });

  it('takes the binary from ELECTRON_OVERRIDE_DIST_PATH when it is set, as the electron package does', () => {
    const elsewhere = join(root, 'elsewhere');
    mkdirSync(elsewhere, { recursive: true });
    expect(findElectron(root, { ELECTRON_OVERRIDE_DIST_PATH: elsewhere })).toEqual({ missing: `${join(elsewhere, 'electron')} does not exist` });
    writeFileSync(join(elsewhere, 'electron'), '');
    expect(findElectron(root, { ELECTRON_OVERRIDE_DIST_PATH: elsewhere })).toEqual({ path: join(elsewhere, 'electron') });
  });

  // Real processes: shell scripts standing in for a working binary and for one missing its libraries.
  it('runs `--version` to see that it starts', () => {
    expect(electronStarts(script('works', 'echo v45.4.1'))).toBe(true);
    expect(electronStarts(script('broken', 'echo "error while loading shared libraries: libnss3.so" >&2; exit 127'))).toBe('`electron --version` exited 127: error while loading shared libraries: libnss3.so');
    expect(electronStarts(join(electronDir, 'dist', 'absent'))).toMatch(/ENOENT/);
    // Node stands in for Electron run as Node (ELECTRON_RUN_AS_NODE): the modules built by npm ci load in it.
    expect(nativeModulesLoad(process.execPath, process.cwd())).toBe(true);
    expect(nativeModulesLoad(script('old-abi', 'echo "Error: was compiled against a different Node.js version using NODE_MODULE_VERSION 115" >&2; exit 1'), root)).toBe(
      'Error: was compiled against a different Node.js version using NODE_MODULE_VERSION 115',
    );
  });
});

describe("the demo's options", () => {
  it('are checked the same way on the command line and in the Electron main process', () => {
    expect(parseDemoArguments([])).toEqual({ port: 0, incidentEverySeconds: 120, browser: false, node: undefined });
    expect(parseDemoArguments(['--port', '8080', '--browser'])).toMatchObject({ port: 8080, browser: true });
    expect(() => parseDemoArguments(['--port', 'x'])).toThrow(/--port must be a number/);
    expect(() => parseDemoArguments(['--incident-every', '0'])).toThrow(/at least 1/);
    expect(() => parseDemoArguments(['--bogus'])).toThrow(/usage: npm run demo/);
  });

  it('reach Electron intact, with the Node binary that runs the receiver nodes', () => {
    const options = parseDemoArguments(['--port', '9000', '--incident-every', '5']);
    const argv = ['/opt/electron/electron', '/work/app', ...electronDemoArguments(options, '/usr/bin/node')];
    expect(demoArgumentsIn(argv)).toEqual({ ...options, node: '/usr/bin/node' });
    expect(demoArgumentsIn(['/opt/electron/electron', '/work/app'])).toBeUndefined();
  });
});
