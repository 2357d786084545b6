import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonLogger } from '../../../receiver/observability/logger.js';
import type { Dispatch } from '../ipc/dispatch-command.js';
import type { EventSink } from '../services/command-handlers.js';
import type { DemoArguments } from './demo-options.js';
import type { RunningDemo } from './run-demo.js';

/** The demo as the Electron main process runs it: what the shell needs, and nothing of Electron. */
export interface DesktopDemo {
  /** Electron's profile for the demo window, a temporary folder: the operator's own profile and settings stay untouched. */
  readonly profileDir: string;
  /** Starts the demo backend (fleet, console services, traffic, web host); the window's events go to `windowEvents`. */
  start(windowEvents: EventSink): Promise<Dispatch>;
  /** The one stop, started on the first call; undefined once it has ended. Electron holds its quit while it runs. */
  stopBeforeQuit(): Promise<void> | undefined;
}

/**
 * `--demo`: the desktop console on the demo backend. Ctrl-C in the terminal and SIGTERM quit the app
 * like closing the window does, through `quit`, so that every way out stops the demo; should the
 * process exit without that stop, its children are killed on the way out.
 */
export function desktopDemo(options: DemoArguments, quit: () => void): DesktopDemo {
  const profileDir = mkdtempSync(join(tmpdir(), 'hookwarden-demo-window-'));
  let started: Promise<RunningDemo> | undefined;
  let stopping: Promise<void> | undefined;
  let stopped = false;
  let running: RunningDemo | undefined;
  process.once('exit', () => {
    running?.kill();
    rmSync(profileDir, { recursive: true, force: true });
  });
  process.on('SIGINT', quit).on('SIGTERM', quit);

  return {
    profileDir,
    async start(windowEvents) {
      if (stopping) throw new Error('the demo is stopping');
      // Loaded only in demo mode: the plain console never loads the fleet, the simulator or the providers' libraries.
      const { startDemoBackend } = await import('./run-demo.js');
      started = startDemoBackend({
        port: options.port,
        incidentEveryMs: options.incidentEverySeconds * 1000,
        print: (line) => process.stdout.write(`${line}\n`),
        logger: jsonLogger((line) => process.stderr.write(line)),
        // The binary the launcher names: Electron's own, run as Node, whose ABI the native modules are built for.
        node: options.node ?? 'node',
        windowEvents,
      });
      running = await started;
      return running.dispatch;
    },
    stopBeforeQuit() {
      if (stopped) return undefined;
      stopping ??= (async () => {
        process.stdout.write('stopping the demo\n');
        // A demo still starting is stopped once it has started; one that failed to start has nothing left.
        const demo = await started?.catch(() => undefined);
        await demo?.stop();
        running = undefined;
        stopped = true;
        process.stdout.write('demo stopped: no process or port left behind\n');
      })();
      return stopping;
    },
  };
}
