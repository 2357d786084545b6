import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { electronDemoArguments, type DemoArguments } from './demo-options.js';
import { packageRoot } from './package-root.js';

/**
 * The desktop demo: the shell built by electron-vite, as `npm start` builds it, then Electron run on
 * it with `--demo`. Electron prints the console line and owns the demo's shutdown; this process
 * waits for it and ends with its exit code.
 */
export async function launchDesktopDemo(electron: string, options: DemoArguments): Promise<number> {
  const root = packageRoot();
  const build = spawnSync(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`electron-vite build failed (${build.error?.message ?? `exit ${build.status ?? build.signal}`})`);

  // Electron runs the receiver nodes too, as Node: the native modules are built for Electron here (launcher.ts checked).
  const child = spawn(electron, [root, ...electronDemoArguments(options, electron)], { cwd: root, stdio: 'inherit' });
  // Ctrl-C reaches Electron from the terminal already; a signal sent to this process alone is passed on.
  // Either way this process stays until Electron has stopped the demo.
  const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
  process.on('SIGINT', forward).on('SIGTERM', forward);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}
