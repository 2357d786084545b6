import react from '@vitejs/plugin-react';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/** Relative asset paths, so the same build is served by Electron's app:// protocol and by browser mode. */
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react()],
  build: { outDir: resolve(import.meta.dirname, '..', 'out', 'renderer'), emptyOutDir: true },
});
