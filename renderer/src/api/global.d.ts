import type { ConsoleBridge } from '../../../shared/contract/console.js';

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent in browser mode. */
    hookwarden?: ConsoleBridge;
  }
}
