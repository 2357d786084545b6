import { app, BrowserWindow, ipcMain, Notification, protocol, session, shell } from 'electron';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import type { EventName, EventPayload } from '../../shared/contract/console.js';
import { demoArgumentsIn } from './demo/demo-options.js';
import { desktopDemo } from './demo/desktop-demo.js';
import { createDispatcher, type Dispatch } from './ipc/dispatch-command.js';
import { CONTENT_SECURITY_POLICY } from './security/content-security-policy.js';
import { APP_ORIGIN, APP_SCHEME, hardenSession, hardenWebContents, isTrustedSender, secureWebPreferences } from './security/window-policy.js';
import { createConsoleServices, type ConsoleServices } from './services/console-services.js';

/**
 * The Electron shell, kept thin: window, protocol, IPC binding and notifications. Everything the
 * console does lives in services/, which run and are tested under plain Node.
 */
const RENDERER_DIR = join(import.meta.dirname, '..', 'renderer');
const PRELOAD = join(import.meta.dirname, '..', 'preload', 'index.cjs');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2' };

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

let window: BrowserWindow | undefined;
let services: ConsoleServices | undefined;

/** `npm run demo` where Electron runs: this window on the demo's backend, in a throwaway profile. */
const demoArguments = demoArgumentsIn(process.argv);
const demo = demoArguments && desktopDemo(demoArguments, () => app.quit());
// Before the lock: it is taken per profile, so a console already open does not stop the demo.
if (demo) app.setPath('userData', demo.profileDir);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (window?.isMinimized()) window.restore();
    window?.focus();
  });
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, (url) => shell.openExternal(url)));
  // A certificate the OS does not trust is refused, always: pinned fleets are verified in the main process.
  app.on('certificate-error', (event, _contents, _url, _error, _certificate, callback) => {
    event.preventDefault();
    callback(false);
  });
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', () => void services?.close());
  // The demo's nodes flush before the app exits: closing the window, quitting and Ctrl-C all wait for that.
  app.on('will-quit', (event) => {
    const stopping = demo?.stopBeforeQuit();
    if (!stopping) return;
    event.preventDefault();
    void stopping.then(() => app.quit());
  });
  void app.whenReady().then(start).catch((error: unknown) => {
    // The demo runs from a terminal: a failed start says why there and ends with an error (it has already cleaned up).
    if (!demo) throw error;
    process.stderr.write(`hookwarden demo: ${error instanceof Error ? error.message : String(error)}\n`);
    app.exit(1);
  });
}

async function start(): Promise<void> {
  hardenSession(session.defaultSession);
  protocol.handle(APP_SCHEME, (request) => serveRenderer(new URL(request.url).pathname));
  const dispatch = demo ? await demo.start(sendEvent) : await operatorConsole();
  ipcMain.handle('hookwarden:invoke', (event, name: unknown, input: unknown) => {
    if (!isTrustedSender(event.senderFrame?.url)) return { ok: false, error: { code: 'forbidden_sender', message: 'this frame may not call the console' } };
    return dispatch(String(name), input);
  });
  window = new BrowserWindow({ width: 1280, height: 820, minWidth: 960, minHeight: 600, title: 'Hookwarden', show: false, webPreferences: secureWebPreferences(PRELOAD) });
  window.once('ready-to-show', () => window?.show());
  await window.loadURL(`${APP_ORIGIN}/index.html`);
}

function sendEvent<E extends EventName>(event: E, payload: EventPayload<E>): void {
  window?.webContents.send('hookwarden:event', event, payload);
  if (event === 'alerts' && Notification.isSupported()) {
    for (const alert of (payload as EventPayload<'alerts'>).alerts) new Notification({ title: 'Hookwarden', body: alert.message }).show();
  }
}

async function operatorConsole(): Promise<Dispatch> {
  services = await createConsoleServices({ userDataDir: app.getPath('userData'), emit: sendEvent });
  return createDispatcher(services.handlers);
}

async function serveRenderer(pathname: string): Promise<Response> {
  const relative = normalize(decodeURIComponent(pathname)).replace(/^([/\\]|\.\.[/\\])+/, '');
  let file = join(RENDERER_DIR, relative || 'index.html');
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    file = join(RENDERER_DIR, 'index.html');
    body = await readFile(file);
  }
  return new Response(new Uint8Array(body), {
    headers: { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-security-policy': CONTENT_SECURITY_POLICY },
  });
}
