import { parseArgs } from 'node:util';
import { jsonLogger } from '../../../receiver/observability/logger.js';
import { runDemo, type RunningDemo } from './run-demo.js';

const USAGE = 'usage: npm run demo [-- --port N] [--incident-every SECONDS]';

/** `npm run demo`: the console in a browser, connected to a demo fleet with traffic. Ctrl-C stops all of it. */
async function main(): Promise<void> {
  const { values } = parseOptions();
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`--port must be a number from 0 to 65535\n${USAGE}`);
  const incidentEverySeconds = Number(values['incident-every']);
  if (!Number.isFinite(incidentEverySeconds) || incidentEverySeconds < 1) throw new Error(`--incident-every must be a number of seconds, at least 1\n${USAGE}`);

  let demo: RunningDemo | undefined;
  // Should the demo die some other way, its children must not outlive it.
  process.once('exit', () => demo?.kill());
  const stopping = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve).once('SIGTERM', resolve);
  });
  demo = await runDemo({
    port,
    incidentEveryMs: incidentEverySeconds * 1000,
    print: (line) => process.stdout.write(`${line}\n`),
    logger: jsonLogger((line) => process.stderr.write(line)),
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

function parseOptions() {
  try {
    return parseArgs({ options: { port: { type: 'string', default: '0' }, 'incident-every': { type: 'string', default: '120' } } });
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`hookwarden demo: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
