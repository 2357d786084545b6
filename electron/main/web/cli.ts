import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { jsonLogger } from '../../../receiver/observability/logger.js';
import { RECEIVER_VERSION } from '../../../receiver/version.js';
import { createDispatcher } from '../ipc/dispatch-command.js';
import type { EventSink } from '../services/command-handlers.js';
import { createConsoleServices } from '../services/console-services.js';
import { startWebHost } from './web-host.js';

/** `npm run web [-- --port N]`: the console in a browser, served on 127.0.0.1 only. */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string' } } });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error('--port must be a number from 0 to 65535');

  const userDataDir = process.env.HOOKWARDEN_USER_DATA ?? join(homedir(), '.config', 'hookwarden-web');
  mkdirSync(userDataDir, { recursive: true, mode: 0o700 });
  const staticDir = process.env.HOOKWARDEN_RENDERER_DIR ?? resolve(projectRoot(), 'out', 'renderer');

  // The host exists before the services so that their first events have somewhere to go.
  let emit: EventSink = () => {};
  const services = await createConsoleServices({ userDataDir, emit: (event, payload) => emit(event, payload), logger: jsonLogger((line) => process.stderr.write(line)) });
  const host = await startWebHost({ dispatch: createDispatcher(services.handlers), staticDir, port });
  emit = host.emit;
  process.stdout.write(`Hookwarden console: ${host.url}/?token=${host.token}\n`);

  await new Promise<void>((done) => {
    process.once('SIGINT', done).once('SIGTERM', done);
  });
  await host.close();
  await services.close();
}

/** Two levels up from electron/main/web (sources) or three from dist/electron/main/web (built). */
function projectRoot(): string {
  const here = import.meta.dirname;
  return here.includes(`${join('dist', 'electron')}`) ? resolve(here, '..', '..', '..', '..') : resolve(here, '..', '..', '..');
}

main().catch((error: unknown) => {
  process.stderr.write(`hookwarden console (version ${RECEIVER_VERSION}): ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
