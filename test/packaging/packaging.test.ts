import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { recorded } from '../helpers/electron-stand-in.js';

// Electron's binary cannot be downloaded here: the built shell runs against the same stand-in as the shell-security test.
vi.mock('electron', async () => (await import('../helpers/electron-stand-in.js')).electronStandIn());

const ROOT = join(import.meta.dirname, '..', '..');
/** The electron-vite output, built for this test in a folder of its own: `out/` may be in use by other tests. */
const BUILD = join(ROOT, 'test-artifacts', 'packaging-build');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string; dependencies: Record<string, string>; devDependencies: Record<string, string> };
const builder = parse(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as Record<string, unknown> & {
  files: string[];
  asarUnpack: string[];
  electronFuses: Record<string, boolean>;
  linux: { target: string[]; icon: string };
  mac: { target: string[]; icon: string; hardenedRuntime: boolean; entitlements: string; entitlementsInherit: string };
  win: { target: string[]; icon: string };
};
/** `out/…` in electron-builder.yml is this test's build folder. */
const built = (path: string) => (path.startsWith('out/') ? join(BUILD, path.slice(4)) : join(ROOT, path));

/**
 * What `npm run package` needs, checked where electron-builder itself cannot run (it downloads
 * Electron): a valid configuration, the files it packs, bundles that load, and no dev dependency
 * needed once installed.
 */
describe('packaging inputs', () => {
  beforeAll(() => {
    rmSync(BUILD, { recursive: true, force: true });
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '--logLevel', 'warn'], {
      cwd: ROOT,
      env: { ...process.env, HOOKWARDEN_BUILD_OUT: BUILD },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  }, 240_000);
  afterAll(() => {
    recorded.app.emit('before-quit');
  });

  it('has an electron-builder configuration its own schema accepts, with every target, the hardened runtime and the fuses', async () => {
    // app-builder-lib is electron-builder's own engine (installed with it): its validator is the one `npm run package` runs.
    const { validateConfiguration } = (await import('app-builder-lib/out/util/config/config.js')) as { validateConfiguration: (config: unknown, logger: unknown) => Promise<void> };
    const { DebugLogger } = (await import('builder-util')) as { DebugLogger: new (enabled: boolean) => unknown };
    await expect(validateConfiguration(builder, new DebugLogger(false))).resolves.toBeUndefined();
    expect(builder).toMatchObject({ appId: 'dev.hookwarden.console', productName: 'Hookwarden', asar: true, npmRebuild: true });
    expect(builder.linux.target).toEqual(['AppImage', 'deb']);
    expect(builder.mac).toMatchObject({ target: ['dmg'], hardenedRuntime: true });
    expect(builder.win.target).toEqual(['nsis']);
    expect(builder.asarUnpack).toContain('**/*.node');
    expect(builder.electronFuses).toMatchObject({ runAsNode: false, enableNodeOptionsEnvironmentVariable: false, enableNodeCliInspectArguments: false, onlyLoadAppFromAsar: true, enableEmbeddedAsarIntegrityValidation: true });
    for (const file of [builder.mac.entitlements, builder.mac.entitlementsInherit]) expect(readFileSync(join(ROOT, file), 'utf8')).toContain('com.apple.security.cs.allow-jit');
  });

  it('has a 512×512 PNG icon for every platform', () => {
    for (const icon of new Set([builder.linux.icon, builder.mac.icon, builder.win.icon])) {
      const png = readFileSync(join(ROOT, icon));
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([512, 512]);
    }
  });

  it('finds every file electron-builder packs, the app\'s entry and everything the renderer\'s page loads', () => {
    for (const pattern of builder.files) {
      const path = built(pattern.replace(/\/\*\*$/, ''));
      expect(existsSync(path), pattern).toBe(true);
      if (pattern.endsWith('/**')) expect(readdirSync(path).length, pattern).toBeGreaterThan(0);
    }
    expect(statSync(built(pkg.main)).isFile()).toBe(true);
    expect(existsSync(join(BUILD, 'preload', 'index.cjs'))).toBe(true);
    const page = readFileSync(join(BUILD, 'renderer', 'index.html'), 'utf8');
    const assets = [...page.matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((match) => match[1]!);
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) expect(existsSync(join(BUILD, 'renderer', asset)), asset).toBe(true);
  });

  it('loads the built main process: one sandboxed window on app://, serving the built renderer under the CSP', async () => {
    recorded.userData = mkdtempSync(join(tmpdir(), 'hookwarden-packaged-'));
    await import(join(BUILD, 'main', 'index.js'));
    await vi.waitFor(() => expect(recorded.windows).toHaveLength(1), { timeout: 30_000 });
    const [window] = recorded.windows;
    expect(window!.loaded).toBe('app://hookwarden/index.html');
    expect(window!.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(existsSync(String(window!.options.webPreferences.preload))).toBe(true);
    const serve = recorded.protocolHandlers.get('app')!;
    const page = await serve({ url: 'app://hookwarden/index.html' });
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await page.text();
    expect(html).toContain('<div id="root">');
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
    const asset = await serve({ url: `app://hookwarden/${script}` });
    expect(asset.headers.get('content-type')).toBe('text/javascript');
    expect((await asset.text()).length).toBeGreaterThan(1000);
  });

  it('carries the store\'s writer thread: the built main starts the local receiver and commits a delivery', async () => {
    const invoke = (command: string, input: object) => recorded.ipcHandlers.get('hookwarden:invoke')!({ senderFrame: { url: 'app://hookwarden/index.html' } }, command, input);
    expect(await invoke('localReceiver.start', { port: 0 })).toMatchObject({ ok: true });
    expect(await invoke('localReceiver.sendTest', { scheme: 'stripe', variant: 'valid' })).toMatchObject({ ok: true, result: { status: 202, outcome: 'accepted' } });
    expect(existsSync(join(BUILD, 'main', 'writer-thread.js'))).toBe(true);
    expect(existsSync(join(BUILD, 'main', 'checkpoint-thread.js'))).toBe(true);
  });

  it('runs the built preload as a sandboxed preload runs: one file needing nothing but electron, exposing window.hookwarden', () => {
    const exposed = new Map<string, unknown>();
    const electron = { contextBridge: { exposeInMainWorld: (name: string, api: unknown) => exposed.set(name, api) }, ipcRenderer: { invoke: () => Promise.resolve(), on: () => {}, off: () => {} } };
    const module = { exports: {} };
    runInNewContext(readFileSync(join(BUILD, 'preload', 'index.cjs'), 'utf8'), {
      module,
      exports: module.exports,
      require: (id: string) => {
        if (id === 'electron') return electron;
        throw new Error(`a sandboxed preload cannot require "${id}"`);
      },
    });
    expect([...exposed.keys()]).toEqual(['hookwarden']);
    expect(Object.keys(exposed.get('hookwarden') as object).sort()).toEqual(['invoke', 'on']);
  });

  it('needs no dev dependency at run time: every package the built code imports is a dependency', () => {
    const files = [...javascriptUnder(join(BUILD, 'main')), join(BUILD, 'preload', 'index.cjs'), ...javascriptUnder(join(ROOT, 'dist'))];
    expect(files.length, 'dist/ is missing: run `npm run build` first').toBeGreaterThan(10);
    const needed = new Map<string, string>();
    for (const file of files) for (const name of importedPackages(readFileSync(file, 'utf8'))) needed.set(name, file);
    // Electron is the runtime itself, not a package the app carries.
    needed.delete('electron');
    const missing = [...needed].filter(([name]) => !(name in pkg.dependencies)).map(([name, file]) => `${name} (imported by ${file.slice(ROOT.length + 1)})`);
    expect(missing).toEqual([]);
    // The native modules are imported, not bundled, so that electron-builder rebuilds and unpacks them.
    const main = importedPackages(readFileSync(join(BUILD, 'main', 'index.js'), 'utf8'));
    for (const native of ['better-sqlite3', '@github/keytar']) expect(main.has(native), native).toBe(true);
  });
});

function javascriptUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.js')).map((file) => join(dir, file));
}

/** Package names of the bare specifiers a module imports or requires (`node:` and other built-ins left out). */
function importedPackages(code: string): Set<string> {
  const specifiers = [
    ...code.matchAll(/(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*["']([^"']+)["']/g),
    ...code.matchAll(/(?:^|[\s;])import\s*["']([^"']+)["']/g),
    ...code.matchAll(/\b(?:require|import)\(\s*["']([^"']+)["']\s*\)/g),
  ].map((match) => match[1]!);
  return new Set(
    specifiers
      .filter((specifier) => !specifier.startsWith('.') && !specifier.startsWith('/') && !isBuiltin(specifier))
      .map((specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/')),
  );
}
