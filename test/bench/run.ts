/**
 * `npm run bench`: the receiver's throughput against a bare node:http server measured in the same
 * run on the same machine, with wrk (Debian package) sending pre-signed deliveries over loopback.
 * Each server runs as its own process; wrk gets the other core. Figures vary by machine, the
 * ratios much less.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { spawnWithConfig, type ReceiverProcess } from '../helpers/receiver-process.js';
import { TEST_HMAC_OPTIONS, newSecret, sign } from '../helpers/signers.js';
import { tempDir } from '../helpers/test-receiver.js';
import { consoleBenchSection } from './console.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const DELIVERIES = 60_000;

interface Figures {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly statuses: string;
}

async function main(): Promise<void> {
  if (spawnSync('wrk', ['--version']).error) throw new Error('wrk is not installed (apt-get install wrk)');
  const dir = tempDir();
  const secret = newSecret('hmac');
  const wrong = newSecret('hmac');
  const body = JSON.stringify({ type: 'order.created', data: { id: 'ord_1', amount: 1200, currency: 'eur', items: [{ sku: 'a', qty: 2 }] } });
  const valid = await Promise.all(Array.from({ length: DELIVERIES }, () => sign('hmac', { secret, body })));
  const invalid = await Promise.all(Array.from({ length: 1_000 }, () => sign('hmac', { secret: wrong, body })));
  const scripts = {
    accepted: luaScript(join(dir, 'accepted.lua'), '/hooks/bench', valid),
    rejected: luaScript(join(dir, 'rejected.lua'), '/hooks/bench', invalid),
  };

  const configFile = join(dir, 'receiver.yml');
  writeFileSync(
    configFile,
    stringify({
      node: { id: 'bench' },
      ingress: { listen: '127.0.0.1:0' },
      storage: { path: './data', sync: process.env.BENCH_SYNC ?? 'full' },
      integrations: [{ id: 'bench', scheme: 'hmac', hmac: TEST_HMAC_OPTIONS, secrets: [{ id: 's1', value: secret }] }],
    }),
  );

  const bare = await runServer(() => spawnBare());
  const baseline = await measure(bare, scripts.accepted);
  await stop(bare);

  const receiver = await runServer(() => spawnWithConfig(configFile));
  const accepted = await measure(receiver, scripts.accepted);
  const duplicates = await measure(receiver, scripts.accepted);
  const rejected = await measure(receiver, scripts.rejected);
  await stop(receiver);

  const rows: [string, Figures][] = [
    ['bare node:http (baseline)', baseline],
    ['receiver: verify + store + 202', accepted],
    ['receiver: replays → 200 duplicate', duplicates],
    ['receiver: bad signature → 401', rejected],
  ];
  console.log(`\n${SECONDS} s each, ${CONNECTIONS} connections, 1 wrk thread, storage.sync=${process.env.BENCH_SYNC ?? 'full'}\n`);
  console.log(`${'path'.padEnd(36)} ${'req/s'.padStart(9)} ${'ratio'.padStart(6)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)}  statuses`);
  for (const [name, figures] of rows) {
    const ratio = figures.requestsPerSecond / baseline.requestsPerSecond;
    console.log(
      `${name.padEnd(36)} ${figures.requestsPerSecond.toFixed(0).padStart(9)} ${ratio.toFixed(2).padStart(6)} ${figures.p50Ms.toFixed(2).padStart(7)} ${figures.p99Ms.toFixed(2).padStart(7)}  ${figures.statuses}`,
    );
  }
  await consoleBenchSection();
}

/** A wrk script that cycles through pre-signed deliveries and counts the statuses it got. */
function luaScript(file: string, path: string, deliveries: readonly { headers: Record<string, string>; body: string }[]): string {
  const quote = (text: string) => JSON.stringify(text);
  const entries = deliveries
    .map((delivery) => `{${Object.entries({ 'content-type': 'application/json', ...delivery.headers }).map(([name, value]) => `[${quote(name)}]=${quote(value)}`).join(',')}}`)
    .join(',\n');
  writeFileSync(
    file,
    `local headers = {${entries}}
local body = ${quote(deliveries[0]?.body ?? '')}
local i = 0
local statuses = {}
request = function()
  i = i % #headers + 1
  return wrk.format("POST", ${quote(path)}, headers[i], body)
end
response = function(status) statuses[status] = (statuses[status] or 0) + 1 end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %f %f %f\\n", summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
`,
  );
  return file;
}

async function measure(server: ReceiverProcess, script: string): Promise<Figures> {
  const url = server.ingressUrl;
  const output = await new Promise<string>((resolve, reject) => {
    const wrk = spawn('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '-s', script, url]);
    let text = '';
    wrk.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    wrk.on('error', reject);
    wrk.on('exit', () => resolve(text));
  });
  const match = /RESULT ([\d.]+) ([\d.]+) ([\d.]+)/.exec(output);
  if (!match) throw new Error(`wrk printed no result:\n${output}`);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? '0';
  return { requestsPerSecond: Number(match[1]), p50Ms: Number(match[2]), p99Ms: Number(match[3]), statuses: `non-2xx: ${non2xx}` };
}

function spawnBare(): Promise<ReceiverProcess> {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'bare-server.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return new Promise((resolve) => {
    child.stdout.once('data', (chunk: Buffer) => {
      const { ingress } = JSON.parse(chunk.toString()) as { ingress: string };
      resolve({ child, ingressUrl: ingress, adminUrl: undefined, exited, output: () => '' });
    });
  });
}

async function runServer(start: () => Promise<ReceiverProcess>): Promise<ReceiverProcess> {
  const server = await start();
  // Pin the server to core 0 and leave core 1 to wrk, so the two do not fight over one core.
  if (server.child.pid) spawnSync('taskset', ['-pc', '0', String(server.child.pid)]);
  return server;
}

async function stop(server: ReceiverProcess): Promise<void> {
  server.child.kill('SIGTERM');
  await server.exited;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
