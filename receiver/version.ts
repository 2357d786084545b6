import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The package version, found by walking up from this module (it runs from receiver/ and from dist/receiver/). */
export const RECEIVER_VERSION: string = (() => {
  for (let dir = import.meta.dirname; dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === 'hookwarden' && manifest.version) return manifest.version;
    } catch {
      // not here; keep walking up
    }
  }
  return 'unknown';
})();
