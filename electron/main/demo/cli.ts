import { jsonLogger } from '../../../receiver/observability/logger.js';
import { parseDemoArguments, type DemoArguments } from './demo-options.js';
import { launchDesktopDemo } from './desktop-launch.js';
import { chooseLauncher, electronStarts, findElectron, nativeModulesLoad } from './launcher.js';
import { packageRoot } from './package-root.js';
import type { RunningDemo } from './run-demo.js';

/**
 * `npm run demo`: the console connected to a demo fleet with traffic, on the desktop where Electron
 * runs, in a browser otherwise. Ctrl-C (or closing the window) stops all of it.
 */
async function main(): Promise<void> {
  const options = parseDemoArguments(process.argv.slice(2));
  const launcher = chooseLauncher({
    browserFlag: options.browser,
    platform: process.platform,
    env: process.env,
    findElectron: () => findElectron(packageRoot()),
    electronStarts,
    nativeModulesLoad: (path) => nativeModulesLoad(path, packageRoot()),
  });
  if (launcher.mode === 'desktop') {
    process.stdout.write('opening the desktop console (Electron)\n');
    process.exitCode = await launchDesktopDemo(launcher.electron, options);
    return;
  }
  process.stdout.write(`${launcher.reason}\n`);
  await runInBrowserMode(options);
}

async function runInBrowserMode(options: DemoArguments): Promise<void> {
  let demo: RunningDemo | undefined;
  // Should the demo die some other way, its children must not outlive it.
  process.once('exit', () => demo?.kill());
  const stopping = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve).once('SIGTERM', resolve);
  });
  // Loaded here, not at the top: in desktop mode this process only launches Electron, and the native modules may be built for it.
  const { startDemoBackend } = await import('./run-demo.js');
  demo = await startDemoBackend({
    port: options.port,
    incidentEveryMs: options.incidentEverySeconds * 1000,
    print: (line) => process.stdout.write(`${line}\n`),
    logger: jsonLogger((line) => process.stderr.write(line)),
    node: process.execPath,
  });
  const signal = await stopping;
  // A second Ctrl-C while the nodes flush must not cut the shutdown short and strand them.
  const patience = (): void => void process.stdout.write('stopping the demo: the nodes are flushing…\n');
  process.on('SIGINT', patience).on('SIGTERM', patience);
  process.stdout.write(`${signal}: stopping the demo\n`);
  await demo.stop();
  demo = undefined;
  process.stdout.write('demo stopped: no process or port left behind\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`hookwarden demo: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
