import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/** The store's threads, each a worker file found beside this module (electron.vite.config.ts bundles them beside the main). */
export type StoreThread = 'writer-thread' | 'checkpoint-thread' | 'spill-thread';

/**
 * Each store thread's young generation (V8 counts it as three semi-spaces: two of 1 MB and their share of the
 * large-object space). Left to V8, the writer's grows under load to two 16 MB semi-spaces of garbage that lives for
 * one batch. Capped (with the entry's growth factor, bin/hookwarden-receiver.js), one run through the bench's write
 * sequence read the writer's heap at 8.5 MB instead of 14.5; scavenges are cheap here, as the thread keeps little
 * alive. Set here too because an embedding process (the console's local receiver) does not run that entry.
 */
const YOUNG_GENERATION_MB = 3;

/**
 * The built thread when running from dist/; from the TypeScript sources (tests, `tsx`) the thread
 * registers tsx first, as a worker does not inherit the parent's module hooks on Node 20.
 */
export function startWorker(thread: StoreThread, workerData: unknown): Worker {
  const options = { workerData, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } };
  const built = new URL(`./${thread}.js`, import.meta.url);
  if (existsSync(fileURLToPath(built))) return new Worker(built, options);
  // The ESM entry of tsx's API (require.resolve would give the CommonJS one, which cannot load it in a worker).
  const tsx = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'esm', 'api', 'index.mjs')).href;
  const source = new URL(`./${thread}.ts`, import.meta.url).href;
  const bootstrap = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(source)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), options);
}
