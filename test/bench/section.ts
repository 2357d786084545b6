/** One figure of the bench, printed in the table and written to docs/performance.md. */
export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
}

/** An issue-8 target: met or missed, and by how much. */
export interface Target {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly limit: number;
  /** `min`: the value must reach the limit; `max`: it must stay under it. */
  readonly kind: 'min' | 'max';
}

export interface SectionResult {
  readonly figures: readonly Figure[];
  readonly targets: readonly Target[];
  /** Free text for docs/performance.md (e.g. where the time goes). */
  readonly notes?: readonly string[];
}

/**
 * A part of `npm run bench`. run.ts runs the sections of its list in order; the console's own
 * section (test/bench/console.ts, the `live` engineer's) joins that list the same way.
 */
export interface BenchSection {
  readonly name: string;
  run(): Promise<SectionResult>;
}

export function met(target: Target): boolean {
  return target.kind === 'min' ? target.value >= target.limit : target.value < target.limit;
}

/** "met", or "missed by N unit (x%)". */
export function verdict(target: Target): string {
  if (met(target)) return 'met';
  const gap = Math.abs(target.value - target.limit);
  return `missed by ${round(gap)} ${target.unit} (${round((gap / target.limit) * 100)} %)`;
}

export function round(value: number): number {
  return Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 100) / 100;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
