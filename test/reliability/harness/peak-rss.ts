import { readFileSync } from 'node:fs';

/** The process's high-water mark of resident memory (VmHWM) in KiB, or 0 once it is gone. */
export function peakRssKib(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}
