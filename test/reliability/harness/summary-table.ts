import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReliabilityRow } from './reliability-row.js';

const ARTIFACT = join(import.meta.dirname, '..', '..', '..', 'test-artifacts', 'reliability.md');

/** The summary as a markdown table: one row per fault or attack, then what broke, row by row. */
export function summaryTable(rows: readonly ReliabilityRow[], durationSeconds: number): string {
  const lines = [
    `Reliability suite, ${new Date().toISOString()}, ${durationSeconds.toFixed(0)} s`,
    '',
    '| fault or attack | sent | acknowledged | rejected | lost | accepted twice | peak RSS | verdict | note |',
    '|---|---:|---:|---:|---:|---:|---:|---|---|',
    ...rows.map((row) =>
      row.skipped
        ? `| ${cell(row.name)} | – | – | – | – | – | – | skipped | ${cell(row.skipped)} |`
        : `| ${cell(row.name)} | ${row.sent} | ${row.acknowledged} | ${row.rejected} | ${row.lost} | ${row.acceptedTwice} | ${row.peakRssMib.toFixed(0)} MiB | ${verdict(row)} | ${cell(row.note)} |`,
    ),
  ];
  const broken = rows.filter((row) => row.violations.length > 0);
  if (broken.length > 0) {
    lines.push('', 'Violations:', '');
    for (const row of broken) for (const violation of row.violations) lines.push(`- ${row.name}: ${violation}`);
  }
  return `${lines.join('\n')}\n`;
}

export function rowPassed(row: ReliabilityRow): boolean {
  return row.skipped !== undefined || (row.lost === 0 && row.acceptedTwice === 0 && row.violations.length === 0);
}

function verdict(row: ReliabilityRow): string {
  return rowPassed(row) ? 'pass' : '**FAIL**';
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/** Prints the table and keeps it in test-artifacts/reliability.md, where CI collects it. */
export function publishSummary(rows: readonly ReliabilityRow[], durationSeconds: number): void {
  const table = summaryTable(rows, durationSeconds);
  mkdirSync(join(ARTIFACT, '..'), { recursive: true });
  writeFileSync(ARTIFACT, table);
  process.stdout.write(`\n${table}\n`);
}
