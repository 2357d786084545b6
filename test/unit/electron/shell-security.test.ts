import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { recorded } from '../../helpers/electron-stand-in.js';

/**
 * The Electron shell's security wiring, read off a stand-in for the `electron` module: the Electron
 * binary cannot be downloaded or launched on this machine, so the test records what the shell asks
 * of Electron (windows and their web preferences, handlers) and fails on anything insecure.
 */
// The stand-in for the `electron` module, shared with the packaging test that loads the built bundles.
vi.mock('electron', async () => (await import('../../helpers/electron-stand-in.js')).electronStandIn());

describe('the Electron shell', () => {
  beforeAll(async () => {
    recorded.userData = mkdtempSync(join(tmpdir(), 'hookwarden-shell-'));
    await import('../../../electron/main/index.js');
    for (let i = 0; i < 50 && recorded.windows.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  });
  afterAll(() => {
    recorded.app.emit('before-quit');
  });

  it('asks for the single-instance lock and creates one window loading the app:// origin', () => {
    expect(recorded.lockRequested).toBe(true);
    expect(recorded.windows).toHaveLength(1);
    expect(recorded.windows[0]!.loaded).toBe('app://hookwarden/index.html');
    expect(recorded.privileged).toEqual([{ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }]);
  });

  it('gives every window isolated, sandboxed web preferences without Node', () => {
    for (const { options } of recorded.windows) {
      const prefs = options.webPreferences;
      expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
      expect(prefs.allowRunningInsecureContent).not.toBe(true);
      expect(prefs.experimentalFeatures).not.toBe(true);
      expect(prefs.nodeIntegrationInWorker).not.toBe(true);
      expect(prefs.nodeIntegrationInSubFrames).not.toBe(true);
      expect(String(prefs.preload)).toMatch(/preload/);
    }
  });

  it('denies navigation, webviews and new windows, opening only allowlisted https links outside', () => {
    const contents = recorded.windows[0]!.webContents;
    for (const name of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      let prevented = false;
      contents.emit(name, { preventDefault: () => (prevented = true) }, 'https://evil.example');
      expect(prevented, name).toBe(true);
    }
    expect(contents.windowOpenHandler?.({ url: 'https://evil.example/phish' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler?.({ url: 'https://docs.stripe.com/webhooks' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler?.({ url: 'http://docs.stripe.com/webhooks' })).toEqual({ action: 'deny' });
    expect(recorded.opened).toEqual(['https://docs.stripe.com/webhooks']);
  });

  it('denies every permission request and check', () => {
    let granted: boolean | undefined;
    recorded.permissionRequest?.({}, 'media', (answer: boolean) => (granted = answer));
    expect(granted).toBe(false);
    expect(recorded.permissionCheck?.({}, 'notifications')).toBe(false);
  });

  it('refuses certificate errors', () => {
    let trusted: boolean | undefined;
    let prevented = false;
    recorded.app.emit('certificate-error', { preventDefault: () => (prevented = true) }, {}, 'https://x', 'ERR_CERT', {}, (answer: boolean) => (trusted = answer));
    expect([prevented, trusted]).toEqual([true, false]);
  });

  it('serves the renderer under a strict Content-Security-Policy', async () => {
    const { CONTENT_SECURITY_POLICY } = await import('../../../electron/main/security/content-security-policy.js');
    const directives = new Map(CONTENT_SECURITY_POLICY.split('; ').map((directive) => [directive.split(' ')[0], directive.split(' ').slice(1)]));
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|\*/);
  });

  it('answers IPC only for frames of the app itself', async () => {
    const handler = recorded.ipcHandlers.get('hookwarden:invoke')!;
    expect(await handler({ senderFrame: { url: 'https://evil.example/' } }, 'localReceiver.status', {})).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } });
    expect(await handler({ senderFrame: { url: 'file:///tmp/x.html' } }, 'localReceiver.status', {})).toMatchObject({ ok: false });
    expect(await handler({ senderFrame: { url: 'app://hookwarden/index.html' } }, 'localReceiver.status', {})).toMatchObject({ ok: true, result: { running: false } });
  });
});
