import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

/**
 * The Electron shell's security wiring, read off a stand-in for the `electron` module: the Electron
 * binary cannot be downloaded or launched on this machine, so the test records what the shell asks
 * of Electron (windows and their web preferences, handlers) and fails on anything insecure.
 */
type Listener = (...args: unknown[]) => unknown;

const recorded = vi.hoisted(() => {
  class Emitter {
    readonly listeners = new Map<string, Listener[]>();
    on(name: string, listener: Listener) {
      this.listeners.set(name, [...(this.listeners.get(name) ?? []), listener]);
      return this;
    }
    once(name: string, listener: Listener) {
      return this.on(name, listener);
    }
    emit(name: string, ...args: unknown[]) {
      return (this.listeners.get(name) ?? []).map((listener) => listener(...args));
    }
  }
  class FakeWebContents extends Emitter {
    windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined;
    readonly sent: unknown[][] = [];
    setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
      this.windowOpenHandler = handler;
    }
    send(...args: unknown[]) {
      this.sent.push(args);
    }
  }
  const state = {
    Emitter,
    FakeWebContents,
    windows: [] as { options: { webPreferences: Record<string, unknown> }; webContents: InstanceType<typeof FakeWebContents>; loaded?: string }[],
    app: new Emitter() as InstanceType<typeof Emitter> & Record<string, unknown>,
    ipcHandlers: new Map<string, Listener>(),
    permissionRequest: undefined as Listener | undefined,
    permissionCheck: undefined as Listener | undefined,
    privileged: [] as unknown[],
    opened: [] as string[],
    lockRequested: false,
    userData: '',
  };
  return state;
});

vi.mock('electron', () => {
  const { Emitter, FakeWebContents } = recorded;
  class BrowserWindow extends Emitter {
    readonly webContents = new FakeWebContents();
    constructor(readonly options: { webPreferences: Record<string, unknown> }) {
      super();
      recorded.windows.push(this as never);
      recorded.app.emit('web-contents-created', {}, this.webContents);
    }
    loadURL(url: string) {
      (this as unknown as { loaded: string }).loaded = url;
      return Promise.resolve();
    }
    show() {}
    focus() {}
    restore() {}
    isMinimized() {
      return false;
    }
  }
  Object.assign(recorded.app, {
    requestSingleInstanceLock: () => (recorded.lockRequested = true),
    quit: () => {},
    whenReady: () => Promise.resolve(),
    getPath: () => recorded.userData,
  });
  return {
    app: recorded.app,
    BrowserWindow,
    ipcMain: { handle: (channel: string, handler: Listener) => recorded.ipcHandlers.set(channel, handler) },
    protocol: { registerSchemesAsPrivileged: (schemes: unknown[]) => recorded.privileged.push(...schemes), handle: () => {} },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (handler: Listener) => (recorded.permissionRequest = handler),
        setPermissionCheckHandler: (handler: Listener) => (recorded.permissionCheck = handler),
      },
    },
    shell: { openExternal: (url: string) => (recorded.opened.push(url), Promise.resolve()) },
    Notification: Object.assign(class {}, { isSupported: () => false }),
  };
});

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
