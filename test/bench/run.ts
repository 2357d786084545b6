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
- Dedupe on a single node is an in-memory index (16-byte digest + 8-byte expiry + state, at most half full: about
  50 bytes a key, bounded by \`storage.dedupeIndexMaxKeys\`), rebuilt from the replay log at start; in a fleet it is
  Redis (lease → commit → window).
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
