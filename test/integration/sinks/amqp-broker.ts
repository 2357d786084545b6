import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'amqplib';
import { freePort } from '../../helpers/free-port.js';

export interface RabbitBroker {
  readonly url: string;
  /** SIGKILL the broker, as a crash: what it confirmed is on disk. */
  kill(): Promise<void>;
  /** Starts it again on the same ports and data folder; resolves once it accepts AMQP connections. */
  start(): Promise<void>;
  /** Stops the broker and its epmd, removes the folder. Call it in afterAll. */
  stop(): Promise<void>;
}

const SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';
const EPMD = '/usr/bin/epmd';
/** RabbitMQ boots an Erlang VM and its apps: over a minute on a busy 2-core machine. */
const START_TIMEOUT_MS = 240_000;

export const rabbitAvailable = existsSync(SERVER) && existsSync(EPMD);

/**
 * Debian's rabbitmq-server as the test's own node: its own node name, AMQP, distribution and epmd
 * ports (all free loopback ports), config, data and logs in a temporary folder, so it neither
 * needs nor touches a system broker. The guest user may log in over loopback only, as by default.
 */
export async function startRabbitBroker(): Promise<RabbitBroker> {
  const [amqpPort, distPort, epmdPort] = [await freePort(), await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'hookwarden-rabbit-'));
  mkdirSync(join(dir, 'log'));
  writeFileSync(join(dir, 'enabled_plugins'), '[].\n');
  writeFileSync(join(dir, 'rabbitmq.conf'), `listeners.tcp.default = 127.0.0.1:${amqpPort}\n`);
  writeFileSync(join(dir, 'rabbitmq-env.conf'), '');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: dir, // the Erlang cookie goes here
    RABBITMQ_NODENAME: `hookwarden-test-${amqpPort}@localhost`,
    RABBITMQ_DIST_PORT: String(distPort),
    ERL_EPMD_PORT: String(epmdPort),
    ERL_EPMD_ADDRESS: '127.0.0.1',
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq'),
    RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'advanced.config'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_PID_FILE: join(dir, 'rabbitmq.pid'),
  };
  const url = `amqp://guest:guest@127.0.0.1:${amqpPort}`;
  // Our own epmd in the foreground, so that we can stop it by its pid (a daemonised one would outlive us).
  const epmd = spawn(EPMD, ['-port', String(epmdPort), '-address', '127.0.0.1'], { stdio: 'ignore' });
  let server: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let output = '';
  const killAll = (): void => {
    if (server?.pid !== undefined && server.exitCode === null && server.signalCode === null) process.kill(-server.pid, 'SIGKILL');
    epmd.kill('SIGKILL');
  };
  process.once('exit', killAll);

  const end = async (signal: NodeJS.Signals): Promise<void> => {
    const child = server;
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        // The script and the Erlang VM it starts share the process group started here.
        process.kill(-child.pid, signal);
      } catch {
        // Already gone.
      }
    }
    await exited;
  };

  const start = async (): Promise<void> => {
    output = '';
    const child = spawn(SERVER, [], { env, cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    server = child;
    const append = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-6000);
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`rabbitmq-server exited while starting:\n${output}`);
      if (await accepts(url)) return;
      if (Date.now() > deadline) {
        await end('SIGKILL');
        throw new Error(`rabbitmq-server did not accept AMQP connections within ${START_TIMEOUT_MS} ms:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };

  try {
    await start();
  } catch (error) {
    killAll();
    process.off('exit', killAll);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    kill: () => end('SIGKILL'),
    start,
    async stop() {
      await end('SIGTERM');
      const epmdExited = new Promise((resolve) => (epmd.exitCode === null && epmd.signalCode === null ? epmd.once('exit', resolve) : resolve(undefined)));
      epmd.kill('SIGTERM');
      await epmdExited;
      process.off('exit', killAll);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function accepts(url: string): Promise<boolean> {
  try {
    const connection = await connect(url, { timeout: 2000 });
    await connection.close();
    return true;
  } catch {
    return false;
  }
}
