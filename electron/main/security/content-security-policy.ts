/**
 * The renderer's Content-Security-Policy, for the Electron `app://` protocol and for browser mode:
 * only the app's own scripts, styles and connections; no plugins, no framing, no base rewriting.
 * `style-src 'unsafe-inline'` because the charting library sets inline styles.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
