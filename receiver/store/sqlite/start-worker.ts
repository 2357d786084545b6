import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/** The store's threads, each a worker file found beside this module (electron.vite.config.ts bundles them beside the main). */
export type StoreThread = 'writer-thread' | 'checkpoint-thread';

/**
 * The built thread when running from dist/; from the TypeScript sources (tests, `tsx`) the thread
 * registers tsx first, as a worker does not inherit the parent's module hooks on Node 20.
 */
export function startWorker(thread: StoreThread, workerData: unknown): Worker {
  const built = new URL(`./${thread}.js`, import.meta.url);
  if (existsSync(fileURLToPath(built))) return new Worker(built, { workerData });
  // The ESM entry of tsx's API (require.resolve would give the CommonJS one, which cannot load it in a worker).
  const tsx = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'esm', 'api', 'index.mjs')).href;
  const source = new URL(`./${thread}.ts`, import.meta.url).href;
  const bootstrap = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(source)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), { workerData });
}
