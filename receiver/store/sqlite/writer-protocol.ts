import type { PurgePolicy, RedriveSelection } from './log-writer.js';
import type { PackedBatch } from './packed-batch.js';
import type { ThreadReply } from './thread-client.js';

/** What the writer thread is started with. */
export interface WriterInit {
  readonly file: string;
  readonly sync: 'full' | 'normal';
  readonly busyTimeoutMs: number;
  readonly masterKey: Uint8Array;
  readonly redact: Readonly<Record<string, readonly string[]>>;
}

type Op =
  /** Replies with the first delivery's seq: the batch's seqs follow on. */
  | { readonly op: 'commit'; readonly batch: PackedBatch }
  | { readonly op: 'markSent'; readonly seqs: readonly number[] }
  | { readonly op: 'release' | 'discard'; readonly integrationId: string }
  | { readonly op: 'redrive'; readonly selection: RedriveSelection }
  | { readonly op: 'supersede'; readonly seqs: readonly number[] }
  | { readonly op: 'purge'; readonly policy: PurgePolicy }
  | { readonly op: 'ping' }
  | { readonly op: 'close' };

export type WriterRequest = Op & { readonly id: number };
export type WriterOp = Op;

export type WriterReply = ThreadReply;
