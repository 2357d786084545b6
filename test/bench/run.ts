/**
 * `npm run bench` (and `-- --json`): the sections below, one after the other, then a table with
 * every issue-8 target marked met or missed, written to docs/performance.md. Servers and wrk are
 * pinned to different cores with taskset; ratios against the bare server of the same run are what
 * count on a shared machine. Never part of `npm test`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { round, verdict, type BenchSection, type SectionResult } from './section.js';
import { writePathSection } from './write-path.js';
import { consoleSection } from './console.js';

const SECTIONS: readonly BenchSection[] = [writePathSection, consoleSection];

const DOC = join(import.meta.dirname, '..', '..', 'docs', 'performance.md');

async function main(): Promise<void> {
  if (spawnSync('wrk', ['--version']).error) throw new Error('wrk is not installed (apt-get install wrk)');
  const started = Date.now();
  const results: { name: string; result: SectionResult }[] = [];
  // `-- --only write` runs the sections whose name contains the word, and leaves docs/performance.md alone.
  const only = process.argv[process.argv.indexOf('--only') + 1];
  const chosen = process.argv.includes('--only') ? SECTIONS.filter((section) => section.name.includes(only ?? '')) : SECTIONS;
  for (const section of chosen) results.push({ name: section.name, result: await section.run() });
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, load average at the end ${loadAverage()}`;
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify({ machine, seconds: Math.round((Date.now() - started) / 1000), sections: results }, null, 2));
  } else {
    console.log(markdown(results, machine, started));
  }
  if (chosen !== SECTIONS) return;
  mkdirSync(dirname(DOC), { recursive: true });
  writeFileSync(DOC, markdown(results, machine, started));
}

function loadAverage(): string {
  return spawnSync('cat', ['/proc/loadavg']).stdout.toString().split(' ').slice(0, 3).join(' ');
}

function markdown(results: readonly { name: string; result: SectionResult }[], machine: string, started: number): string {
  const lines = [
    '# Performance',
    '',
    `Written by \`npm run bench\` on ${new Date().toISOString()} in ${Math.round((Date.now() - started) / 1000)} s. Machine: ${machine}.`,
    '',
    'The servers run pinned to one core and wrk (64 connections, 1 thread) to the other; every ratio is against the bare',
    'node:http server measured in the same run (A B A B, medians of two). Other processes share the machine, so absolute',
    'figures are noisy; the ratios much less.',
    '',
    WHERE_THE_TIME_GOES,
    '',
  ];
  for (const { name, result } of results) {
    lines.push(`## ${name}`, '', '| figure | value |', '|---|---|');
    for (const figure of result.figures) lines.push(`| ${figure.name} | ${figure.value === 0 && /^[{\d]/.test(figure.unit) ? figure.unit : `${round(figure.value)} ${figure.unit}`} |`);
    lines.push('', '| target | measured | verdict |', '|---|---|---|');
    for (const target of result.targets) lines.push(`| ${target.name} | ${round(target.value)} ${target.unit} | ${verdict(target)} |`);
    lines.push('', ...(result.notes ?? []), '');
  }
  return lines.join('\n');
}

const WHERE_THE_TIME_GOES = `## Design notes

- One append-only row per delivery (log fields, sealed capture, outbox state), a replay log keyed by the same seq,
  statistics summed per batch: every B-tree grows at its right edge. Time-ordered (UUIDv7) request ids keep the
  request-id index appended too.
- Commits run on a writer thread with its own connection: statement execution, the fsync (\`sync: full\`) and the WAL
  checkpoint never block the event loop, and a frozen disk leaves health and the admin API answering.
- A batch crosses to the writer thread as one flat array of column values and one transferred byte buffer (bodies,
  replay keys); rows bind by position and the reply is the first seq. A commit takes at most 256 deliveries, so
  settling one never blocks the loop for long. Captures are deflated (level 1) before sealing: a ~1 KB JSON
  delivery's capture drops from ~1.2 KB to ~0.36 KB for ~12-15 µs of the writer thread's CPU.
- Bytes per delivery depend on the batch: about 1 KB of row written twice (WAL, then checkpoint), plus 8-13 partly
  filled pages rewritten per commit (the log's last page, its four indexes, the replay log, the statistics): about
  4.3 KB at 32 deliveries a commit, 2.8 KB at 128. Each index costs about 360 B a delivery at 32 a commit.
- Statistics read per-minute aggregates written with each batch (counts, secrets, diagnoses; a skew histogram and a
  rejected-sources summary per minute and per hour): 24 h reads at most about 4,400 small rows, never the log.
  Before, diagnoses walked the whole log through the integration index (6.9 s, and hundreds of MB of heap per call:
  that was this morning's 854 MB RSS), and the prefill's fractional times gave one stats row per delivery.
- Single-node dedupe is an in-memory table of 16-byte slots (96 bits of digest, expiry in seconds and a committed
  bit), at most half full: 32-64 bytes a key, bounded by \`storage.dedupeIndexMaxKeys\` (128 MiB at the default
  4,000,000). It is rebuilt at start from the replay log, read as one blob per slice of seqs. The node is ready
  while it loads: claims wait for the whole index (more than 1,000 waiting get 503), so no key inside the window is
  forgotten after kill -9. Filling the table costs about 0.5 µs a key (random memory access over the table), so
  1.8 million keys take about a second; the index whole within 1 s needs a snapshot of the table (not built).
- Fleet mode: the claims of one event-loop turn go to Redis as one script, and so do the extensions after one
  durable batch and the rate-limit takes: about 0.15 round trips a delivery instead of 2, each claim still taking
  all its keys or none, in order. The Redis Stream sink appends the dispatcher's batch of 100 with one script, so
  the stream keeps pace with ingress instead of lagging behind a burst. What bounds fleet throughput now is the
  chain of fsyncs per request: Redis (the bench runs it with \`appendfsync always\`) for the claim, the local
  commit, Redis again for the extension. With \`appendfsync everysec\` the fleet ratio roughly doubles.
- Fleet mode, "committed locally, died before extending the claim": the sender got no 202 and retries. The restarted
  node reconciles its last commits before it listens (receiver/store/redis/fleet-reconcile.ts): if its keys are
  still free (or hold its own dead lease) it commits them, and the retry is a duplicate; if another node accepted
  the retry meanwhile, this node's copy becomes duplicate/superseded and leaves its outbox. Downstream sees the
  event once. Left open: a node that never comes back keeps its copy in its own store (not forwarded, not lost to
  the sender, who got a 202 from the other node), and Redis lost between commit and restart (no state to compare).`;

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
