import react from '@vitejs/plugin-react';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import { resolve } from 'node:path';

/** Where the build goes: `out/` (electron-builder packs it); the packaging test builds into a folder of its own. */
const OUT = resolve(import.meta.dirname, process.env.HOOKWARDEN_BUILD_OUT ?? 'out');

/**
 * The desktop build: main process and preload bundled by electron-vite, the renderer by Vite.
 * Native modules (keytar, better-sqlite3) stay external; electron-builder rebuilds them for
 * Electron's ABI and unpacks them from the asar.
 */
export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
    build: {
      outDir: resolve(OUT, 'main'),
      rollupOptions: {
        input: {
          index: resolve(import.meta.dirname, 'electron/main/index.ts'),
          // The store's threads are worker files it finds beside itself (start-worker.ts): the local
          // receiver (and the demo, which starts it) cannot commit without them in the bundle.
          'writer-thread': resolve(import.meta.dirname, 'receiver/store/sqlite/writer-thread.ts'),
          'checkpoint-thread': resolve(import.meta.dirname, 'receiver/store/sqlite/checkpoint-thread.ts'),
          'spill-thread': resolve(import.meta.dirname, 'receiver/store/sqlite/spill-thread.ts'),
        },
      },
    },
  },
  preload: {
    // A sandboxed preload can require() nothing but `electron`: everything else it uses (zod, the
    // contract) is bundled into one CommonJS file. electron-vite externalizes dependencies by default.
    build: {
      externalizeDeps: false,
      outDir: resolve(OUT, 'preload'),
      rollupOptions: { input: resolve(import.meta.dirname, 'electron/preload/index.ts'), output: { format: 'cjs', entryFileNames: 'index.cjs' } },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'renderer'),
    plugins: [react()],
    build: { outDir: resolve(OUT, 'renderer'), rollupOptions: { input: resolve(import.meta.dirname, 'renderer/index.html') } },
  },
});
