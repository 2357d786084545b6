import { parseArgs } from 'node:util';

export const DEMO_USAGE = 'usage: npm run demo [-- --port N] [--incident-every SECONDS] [--browser]';

/** The flag that starts the Electron main process as the demo instead of the operator's console. */
export const DEMO_FLAG = '--demo';

export interface DemoArguments {
  /** The console's port on 127.0.0.1; 0 for any free one. */
  readonly port: number;
  readonly incidentEverySeconds: number;
  /** Browser mode even where Electron could run. */
  readonly browser: boolean;
  /** The binary that runs the receiver nodes (on the desktop, Electron's own, run as Node); unset from the command line (this process's own). */
  readonly node: string | undefined;
}

/** `npm run demo`'s options, checked the same way for the command line and for the Electron main process. */
export function parseDemoArguments(args: readonly string[]): DemoArguments {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: { port: { type: 'string', default: '0' }, 'incident-every': { type: 'string', default: '120' }, browser: { type: 'boolean', default: false }, node: { type: 'string' } },
    }));
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${DEMO_USAGE}`);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`--port must be a number from 0 to 65535\n${DEMO_USAGE}`);
  const incidentEverySeconds = Number(values['incident-every']);
  if (!Number.isFinite(incidentEverySeconds) || incidentEverySeconds < 1) throw new Error(`--incident-every must be a number of seconds, at least 1\n${DEMO_USAGE}`);
  return { port, incidentEverySeconds, browser: values.browser, node: values.node };
}

/** The demo's options when an Electron main process was started with `--demo`, otherwise undefined. */
export function demoArgumentsIn(argv: readonly string[]): DemoArguments | undefined {
  const at = argv.indexOf(DEMO_FLAG);
  return at === -1 ? undefined : parseDemoArguments(argv.slice(at + 1));
}

/** What the command line passes on to Electron: the same options, and the binary that runs the receiver nodes. */
export function electronDemoArguments(options: DemoArguments, node: string): string[] {
  return [DEMO_FLAG, '--port', String(options.port), '--incident-every', String(options.incidentEverySeconds), '--node', node];
}
