/**
 * A stand-in for the `electron` module: the Electron binary cannot be downloaded or launched on
 * this machine, so tests load the shell (its sources, or the built bundles) against this and read
 * off what it asked of Electron: windows and their web preferences, handlers, protocol schemes.
 * Use it with `vi.mock('electron', async () => (await import('…/electron-stand-in.js')).electronStandIn())`.
 */
export type Listener = (...args: unknown[]) => unknown;

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

export const recorded = {
  windows: [] as { options: { webPreferences: Record<string, unknown> }; webContents: FakeWebContents; loaded?: string | undefined }[],
  app: new Emitter() as Emitter & Record<string, unknown>,
  ipcHandlers: new Map<string, Listener>(),
  protocolHandlers: new Map<string, (request: { url: string }) => Promise<Response>>(),
  permissionRequest: undefined as Listener | undefined,
  permissionCheck: undefined as Listener | undefined,
  privileged: [] as unknown[],
  opened: [] as string[],
  lockRequested: false,
  userData: '',
  /** Set once a quit went through every `before-quit` and `will-quit` listener without one holding it. */
  quit: false,
  exitCode: undefined as number | undefined,
};

/** An Electron event a listener may hold with preventDefault(), as `will-quit` is held. */
function preventable() {
  return {
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
  };
}

export function electronStandIn() {
  class BrowserWindow extends Emitter {
    readonly webContents = new FakeWebContents();
    loaded: string | undefined;
    constructor(readonly options: { webPreferences: Record<string, unknown> }) {
      super();
      recorded.windows.push(this);
      recorded.app.emit('web-contents-created', {}, this.webContents);
    }
    loadURL(url: string) {
      this.loaded = url;
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
    // As Electron quits: `before-quit`, then `will-quit`, either of which may hold the quit.
    quit: () => {
      for (const name of ['before-quit', 'will-quit']) {
        const event = preventable();
        recorded.app.emit(name, event);
        if (event.defaultPrevented) return;
      }
      recorded.quit = true;
    },
    exit: (code: number) => (recorded.exitCode = code),
    whenReady: () => Promise.resolve(),
    getPath: () => recorded.userData,
    setPath: (name: string, path: string) => {
      if (name === 'userData') recorded.userData = path;
    },
  });
  return {
    app: recorded.app,
    BrowserWindow,
    ipcMain: { handle: (channel: string, handler: Listener) => recorded.ipcHandlers.set(channel, handler) },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => recorded.privileged.push(...schemes),
      handle: (scheme: string, handler: (request: { url: string }) => Promise<Response>) => recorded.protocolHandlers.set(scheme, handler),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (handler: Listener) => (recorded.permissionRequest = handler),
        setPermissionCheckHandler: (handler: Listener) => (recorded.permissionCheck = handler),
      },
    },
    shell: { openExternal: (url: string) => (recorded.opened.push(url), Promise.resolve()) },
    Notification: Object.assign(class {}, { isSupported: () => false }),
  };
}
