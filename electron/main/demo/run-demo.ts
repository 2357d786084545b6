import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commands, type CommandInput, type CommandName, type CommandResult } from '../../../shared/contract/console.js';
import type { Logger } from '../../../receiver/observability/logger.js';
import { createDispatcher, type Dispatch } from '../ipc/dispatch-command.js';
import type { EventSink } from '../services/command-handlers.js';
import { createConsoleServices } from '../services/console-services.js';
import { startWebHost } from '../web/web-host.js';
import { demoIntegrations } from './demo-integrations.js';
import { startDemoFleet, type DemoFleet } from './demo-fleet.js';
import { packageRoot } from './package-root.js';
import { sessionOnlyCredentials } from './session-credentials.js';
import { TrafficSimulator } from './traffic-simulator.js';

export interface DemoOptions {
  /** The console's port on 127.0.0.1; 0 for any free one. */
  readonly port: number;
  readonly incidentEveryMs: number;
  readonly print: (line: string) => void;
  readonly logger: Logger;
  /** The binary that runs the receiver nodes: Node, or on the desktop Electron's own, run as Node (demo-fleet.ts). */
  readonly node: string;
  /** The desktop window's events, beside the web host's; the browser demo has no window. */
  readonly windowEvents?: EventSink;
}

export interface RunningDemo {
  readonly consoleUrl: string;
  readonly fleet: DemoFleet;
  /** The demo's console services, for the desktop window's IPC. */
  readonly dispatch: Dispatch;
  stop(): Promise<void>;
  /** The last resort when the process exits without `stop()`: no child outlives the demo. */
  kill(): void;
}

/**
 * The first five minutes: three receiver nodes, the console already connected to them with a
 * generated token held in memory, and traffic with incidents, all under one temporary folder that
 * `stop()` removes with everything else. Both launchers start this: `npm run demo` in browser mode,
 * and the Electron main process started with `--demo`.
 */
export async function startDemoBackend(options: DemoOptions): Promise<RunningDemo> {
  const dir = mkdtempSync(join(tmpdir(), 'hookwarden-demo-'));
  const undo: Array<() => Promise<void> | void> = [() => rmSync(dir, { recursive: true, force: true })];
  const stop = async (): Promise<void> => {
    for (const step of undo.splice(0).reverse()) await step();
  };
  let fleet: DemoFleet | undefined;
  try {
    const integrations = demoIntegrations();
    fleet = await startDemoFleet(dir, integrations, options.node);
    undo.push(fleet.stop);

    let emit: EventSink = () => {};
    // A demo user-data folder and no keychain: the demo touches neither the operator's settings nor their secrets.
    const services = await createConsoleServices({ userDataDir: join(dir, 'console'), credentials: sessionOnlyCredentials(), emit: (event, payload) => emit(event, payload), logger: options.logger });
    undo.push(() => services.close());
    const dispatch = createDispatcher(services.handlers);
    await connectConsole(dispatch, fleet);
    // The Local receiver screen lists what arrives while it is open: a test delivery now and then keeps it alive.
    const localTrickle = setInterval(() => void dispatch('localReceiver.sendTest', { scheme: 'stripe', variant: 'valid' }), 15_000);
    undo.push(() => clearInterval(localTrickle));

    // The web host runs in desktop mode too: the issue asks both modes to print the same
    // `Hookwarden console:` line, and it stays valid: a browser beside the window sees the same demo.
    const host = await startWebHost({ dispatch, staticDir: process.env.HOOKWARDEN_RENDERER_DIR ?? join(packageRoot(), 'out', 'renderer'), port: options.port });
    undo.push(() => host.close());
    emit = (event, payload) => {
      host.emit(event, payload);
      options.windowEvents?.(event, payload);
    };

    const simulator = new TrafficSimulator({
      ingressUrls: fleet.nodes.map((node) => node.ingressUrl),
      integrations,
      steadyIntervalMs: 400,
      openingSpacingMs: Math.min(8_000, options.incidentEveryMs),
      incidentEveryMs: options.incidentEveryMs,
      report: options.print,
    });
    simulator.start();
    undo.push(() => simulator.stop());

    describe(fleet, dir, options);
    const consoleUrl = `${host.url}/?token=${host.token}`;
    options.print(`Hookwarden console: ${consoleUrl}`);
    const running = fleet;
    return { consoleUrl, fleet: running, dispatch, stop, kill: () => running.kill() };
  } catch (error) {
    fleet?.kill();
    await stop();
    throw error;
  }
}

/**
 * The demo fleet added as an operator would add it (token for this session only), one operator
 * action from before the newcomer arrived (an integration parked on hold: the Audit screen has an
 * entry, the Inventory something to release), and the local receiver with a few test deliveries.
 */
async function connectConsole(dispatch: Dispatch, fleet: DemoFleet): Promise<void> {
  const call = async <C extends CommandName>(command: C, input: CommandInput<C>): Promise<CommandResult<C>> => {
    const answer = await dispatch(command, input);
    if (!answer.ok) throw new Error(`the demo could not ${command}: ${answer.error.message}`);
    return commands[command].output.parse(answer.result) as CommandResult<C>;
  };
  const added = await call('fleets.add', { name: 'Demo fleet', nodes: fleet.nodes.map((node) => ({ url: node.adminUrl })), token: fleet.adminToken, remember: false });
  await call('integrations.kill', { fleetId: added.id, integrationId: 'partner-notifications', mode: 'hold', reason: 'partner maintenance window: park deliveries until they confirm (demo)' });
  await call('localReceiver.start', { port: 0 });
  for (const variant of ['valid', 'replay', 'wrong-secret', 'expired'] as const) {
    for (const scheme of ['stripe', 'slack', 'standard-webhooks'] as const) await call('localReceiver.sendTest', { scheme, variant });
  }
}

function describe(fleet: DemoFleet, dir: string, options: DemoOptions): void {
  const sharing = fleet.redis ? `sharing Redis at ${fleet.redis.url}` : 'each on its own (no redis-server on this machine: three independent nodes)';
  options.print(`Hookwarden demo: ${fleet.nodes.length} receiver nodes ${sharing}; their data in ${dir}`);
  for (const node of fleet.nodes) options.print(`  ${node.nodeId.padEnd(10)} ingress ${node.ingressUrl}  admin ${node.adminUrl}`);
  options.print(`  traffic: Stripe, GitHub, Shopify, Slack, Standard Webhooks and Svix senders, a trickle of bad signatures,`);
  options.print(`  and an incident every ${Math.round(options.incidentEveryMs / 1000)} s after a first round of all four. Ctrl-C stops everything.`);
}
