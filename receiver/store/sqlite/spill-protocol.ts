import type { ThreadReply } from './thread-client.js';

/** What the spill thread is started with. */
export interface SpillInit {
  /** replay-spill.db, created with its schema by the event loop's side before the thread starts (replay-spill.ts). */
  readonly spillFile: string;
  /** The node's receiver.db, whose replay_log the thread reads. */
  readonly logFile: string;
  /** Keys the filter of spilled digests is sized for at most (digest-filter.ts): past them it rules out fewer. */
  readonly maxFilterKeys: number;
}

type Op =
  /** Replies with a SpillExtended (see ReplaySpill.extend). */
  | { readonly op: 'extend'; readonly through: number | undefined; readonly now: number }
  | { readonly op: 'close' };

export type SpillRequest = Op & { readonly id: number };
export type SpillOp = Op;

/** What the spill covers and holds, as recorded in its meta row. */
export interface SpillExtent {
  /** -Infinity while nothing was spilled. */
  readonly throughSeq: number;
  /** -Infinity while the spill holds no key. */
  readonly liveUntil: number;
  readonly keys: number;
}

/** An extend's answer: the extent it recorded and the thread's filter of the spilled digests (digest-filter.ts). */
export interface SpillExtended {
  readonly extent: SpillExtent;
  readonly filter: SharedArrayBuffer;
}

export type SpillReply = ThreadReply<SpillExtended | undefined>;
