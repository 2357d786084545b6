import { readdirSync, readFileSync } from 'node:fs';

/** Bytes the process has caused to be written to storage (/proc/<pid>/io write_bytes). */
export function writeBytes(pid: number): number {
  return Number(/write_bytes: (\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? 0);
}

export function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
}

/**
 * The highest RSS of a process, read every `intervalMs` until `stop`. A single reading after a run lands anywhere
 * between two collections (the same node read 211 and 262 MB at the two moments the bench used to read it): the
 * target is judged on the peak. The reads run in the bench's own process, not in the node measured.
 */
export function sampleRss(pid: number, intervalMs = 250): { stop(): { peakMb: number; samples: number } } {
  let peakMb = rssMb(pid);
  let samples = 1;
  const timer = setInterval(() => {
    peakMb = Math.max(peakMb, rssMb(pid));
    samples++;
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      peakMb = Math.max(peakMb, rssMb(pid));
      return { peakMb, samples: samples + 1 };
    },
  };
}

/** CPU time (user + system, all threads) in microseconds. */
export function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  // utime and stime are fields 14 and 15 of stat, counted after the command name (index 11 and 12 here), in clock ticks.
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
}

/** CPU time of each thread (user and system, µs), by thread id: the event loop is the thread whose id is the pid. */
export function cpuByThread(pid: number): Map<number, { user: number; system: number }> {
  const threads = new Map<number, { user: number; system: number }>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
    threads.set(Number(tid), { user: (Number(fields[11]) * 1e6) / 100, system: (Number(fields[12]) * 1e6) / 100 });
  }
  return threads;
}

/**
 * Where a run's CPU went, per request: the event loop, the busiest other thread (the writer thread,
 * where there is one) and the rest (V8's GC helpers, libuv's pool), each as user + system.
 */
export function threadShares(before: Map<number, { user: number; system: number }>, after: Map<number, { user: number; system: number }>, pid: number, requests: number): { eventLoop: string; busiestOther: string; rest: string } {
  const spent = [...after].map(([tid, now]) => {
    const then = before.get(tid) ?? { user: 0, system: 0 };
    return { tid, user: (now.user - then.user) / requests, system: (now.system - then.system) / requests };
  });
  const words = (user: number, system: number) => `${Math.round(user + system)} µs (${Math.round(user)} user + ${Math.round(system)} system)`;
  const others = spent.filter((thread) => thread.tid !== pid).sort((a, b) => b.user + b.system - (a.user + a.system));
  const loop = spent.find((thread) => thread.tid === pid) ?? { user: 0, system: 0 };
  const busiest = others[0] ?? { user: 0, system: 0 };
  const rest = others.slice(1).reduce((sum, thread) => ({ user: sum.user + thread.user, system: sum.system + thread.system }), { user: 0, system: 0 });
  return { eventLoop: words(loop.user, loop.system), busiestOther: words(busiest.user, busiest.system), rest: words(rest.user, rest.system) };
}
