import { readFileSync } from 'node:fs';

/** Bytes the process has caused to be written to storage (/proc/<pid>/io write_bytes). */
export function writeBytes(pid: number): number {
  return Number(/write_bytes: (\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? 0);
}

export function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
}

/** CPU time (user + system, all threads) in microseconds. */
export function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  // utime and stime are fields 14 and 15 of stat, counted after the command name (index 11 and 12 here), in clock ticks.
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
}
