import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** The checkpoint thread yields the core to the event loop and the writer; when it falls behind, the writer's backstop checkpoint bounds the WAL. */
export const CHECKPOINT_THREAD_NICE = 10;

/**
 * The spill thread yields to them less: nothing stands in for it when it falls behind. Its work grows with the
 * delivery rate (about 12,000 keys a second at full load here), and memory waits for each copy to disk: at nice 10
 * it had about 5 % of a core shared with a saturated event loop and writer, a copy took up to 90 s, memory filled
 * first, and a 5-minute run at full load answered 347,138 deliveries 503.
 */
export const SPILL_THREAD_NICE = 5;

/**
 * Lowers the calling thread's scheduling priority to `nice` (higher is lower priority). On Linux a
 * nice value belongs to one thread, addressed by its tid (/proc/thread-self names it), so a store
 * thread can yield the core to the event loop without lowering the whole process. Elsewhere the
 * nice value is per process, so nothing is changed.
 */
export function lowerThreadPriority(nice: number): void {
  if (process.platform !== 'linux') return;
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  setPriority(tid, nice);
}
