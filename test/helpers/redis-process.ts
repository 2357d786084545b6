import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { freePort } from './free-port.js';

export interface RedisProcessOptions {
  /** redis-server, redis-sentinel, … */
  readonly binary: string;
  /** The command line for a start on this port; it may write the files it names first (a sentinel's config). */
  args(port: number): string[];
  /** Where a first start's ports come from; tests of this helper hand it a port that is already taken. */
  readonly ports?: () => Promise<number>;
}

export interface RedisProcess {
  readonly port: number;
  /** The pid of the child started last. */
  readonly pid: number | undefined;
  /** The last lines the child wrote to stdout and stderr, for failure messages. */
  output(): string;
  /** Signals the child if it still runs (SIGSTOP / SIGCONT pause and resume it). */
  signal(signal: NodeJS.Signals): void;
  /** Sends the signal (continuing a paused child first) and resolves once the child has exited. */
  end(signal: NodeJS.Signals): Promise<void>;
  /** Kills the child if it still runs and starts it again on the same port. */
  restart(): Promise<void>;
  /** SIGTERM, wait for the exit; the process is no longer killed when the test process exits. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 20_000;
const START_ATTEMPTS = 5;
const PROBE_TIMEOUT_MS = 1000;
const OUTPUT_TAIL_CHARS = 4000;

class StartFailure extends Error {
  constructor(message: string, readonly childExited: boolean) {
    super(message);
  }
}

/**
 * Starts a Redis binary on a free loopback port. A port from freePort() is free only until someone
 * takes it: a busy machine's other tests open listeners and connections from the same range, and
 * one of them may be another test's Redis, which answers like ours would. So the start counts only
 * once INFO on the port names this child's pid (and PING no longer answers -LOADING), and a first
 * start whose child exited before that (its port was taken) is tried again on another port.
 * Restarts keep their port: callers kill and restart Redis and expect the same URL.
 */
export async function startRedisProcess(options: RedisProcessOptions): Promise<RedisProcess> {
  const ports = options.ports ?? freePort;
  let port = 0;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let output = '';
  // Should the test process end without afterAll, the child must not outlive it.
  const killOnExit = (): void => void child?.kill('SIGKILL');
  process.once('exit', killOnExit);

  const running = (): boolean => child !== undefined && child.pid !== undefined && child.exitCode === null && child.signalCode === null;
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (running()) {
      // A paused child would not act on SIGTERM until continued.
      child?.kill('SIGCONT');
      child?.kill(signal);
    }
    await exited;
  };

  const launch = async (): Promise<void> => {
    const started = spawn(options.binary, options.args(port), { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    const append = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
    };
    started.stdout?.on('data', append);
    started.stderr?.on('data', append);
    let failed: Error | undefined;
    // A spawn that fails (no such binary) emits 'error' and never 'exit'.
    exited = new Promise((resolve) => {
      started.once('exit', () => resolve());
      started.once('error', (error) => {
        failed = error;
        resolve();
      });
    });
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (running() && Date.now() < deadline) {
      // A child that exits (its port was taken) need not wait for a silent listener's probe to time out.
      const answer = await Promise.race([probe(port), exited.then(() => NO_ONE)]);
      if (started.pid !== undefined && answer.pid === started.pid && answer.serving) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const childExited = failed === undefined && !running();
    await end('SIGKILL');
    const why = failed?.message ?? (childExited ? `it exited (${started.exitCode ?? started.signalCode})` : `it did not answer within ${START_TIMEOUT_MS} ms`);
    throw new StartFailure(`${options.binary} did not start on port ${port}: ${why}\n${output}`, childExited);
  };

  for (let attempt = 1; ; attempt++) {
    port = await ports();
    try {
      await launch();
      break;
    } catch (error) {
      // A child that exited lost its port, most likely (the output says); one that runs but does not answer would not do better elsewhere.
      if (!(error instanceof StartFailure && error.childExited) || attempt === START_ATTEMPTS) {
        process.off('exit', killOnExit);
        throw error;
      }
    }
  }
  return {
    port,
    get pid() {
      return child?.pid;
    },
    output: () => output,
    signal: (signal) => void (running() && child?.kill(signal)),
    end,
    async restart() {
      await end('SIGKILL');
      await launch();
    },
    async stop() {
      await end('SIGTERM');
      process.off('exit', killOnExit);
    },
  };
}

interface ProbeAnswer {
  /** process_id from INFO server, if a Redis answered at all. */
  readonly pid: number | undefined;
  /** PING answered +PONG: not -LOADING while the server replays its append-only file. */
  readonly serving: boolean;
}

const NO_ONE: ProbeAnswer = { pid: undefined, serving: false };

/** Asks whatever listens on the port who it is; anything that is not a Redis reply within the timeout counts as no one. */
function probe(port: number): Promise<ProbeAnswer> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = Buffer.alloc(0);
    const done = (answer: ProbeAnswer): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done(NO_ONE));
    socket.once('error', () => done(NO_ONE));
    socket.once('close', () => done(NO_ONE));
    // INFO answers even while the server loads its data; PING on the same connection says whether it is done.
    socket.once('connect', () => socket.write('INFO server\r\nPING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply = Buffer.concat([reply, chunk]);
      const answer = parseProbeReply(reply);
      if (answer) done(answer);
    });
  });
}

/** The answer once both replies are complete, undefined while more bytes are due. */
function parseProbeReply(reply: Buffer): ProbeAnswer | undefined {
  const headerEnd = reply.indexOf('\r\n');
  if (headerEnd < 0) return undefined;
  if (reply[0] !== 0x24 /* '$' */) return NO_ONE;
  const bodyStart = headerEnd + 2;
  const bodyEnd = bodyStart + Number(reply.subarray(1, headerEnd).toString('latin1'));
  if (!Number.isInteger(bodyEnd) || bodyEnd < bodyStart) return NO_ONE;
  const pingEnd = reply.indexOf('\r\n', bodyEnd + 2);
  if (pingEnd < 0) return undefined;
  const pid = /process_id:(\d+)\r\n/.exec(reply.subarray(bodyStart, bodyEnd).toString('latin1'))?.[1];
  return { pid: pid === undefined ? undefined : Number(pid), serving: reply.subarray(bodyEnd + 2, pingEnd).toString('latin1') === '+PONG' };
}
