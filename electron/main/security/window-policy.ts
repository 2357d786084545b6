import type { Session, WebContents, WebPreferences } from 'electron';

/** The renderer is served from this origin (a privileged custom protocol), never from file://. */
export const APP_SCHEME = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://hookwarden`;

/** Links the console may open in the operator's browser: documentation of the providers it verifies. */
const EXTERNAL_HOSTS = new Set(['docs.stripe.com', 'docs.github.com', 'docs.slack.dev', 'api.slack.com', 'shopify.dev', 'www.twilio.com', 'www.standardwebhooks.com', 'docs.svix.com', 'github.com']);

/** Every window's web preferences: isolated, sandboxed, no Node, no webviews. */
export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
  };
}

export function isAllowedExternalUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' && parsed.username === '' && parsed.password === '' && EXTERNAL_HOSTS.has(parsed.hostname);
  } catch {
    return false;
  }
}

/** IPC is answered only for frames showing the app itself, never for anything that got loaded elsewhere. */
export function isTrustedSender(frameUrl: string | undefined): boolean {
  return frameUrl !== undefined && (frameUrl === APP_ORIGIN || frameUrl.startsWith(`${APP_ORIGIN}/`));
}

/** No navigation away from the app, no new windows (allowlisted https links go to the browser), no webviews. */
export function hardenWebContents(contents: WebContents, openExternal: (url: string) => Promise<void>): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalUrl(url)) void openExternal(url);
    return { action: 'deny' };
  });
}

/** Camera, microphone, geolocation, notifications from the page…: the console needs none, so every request is denied. */
export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
