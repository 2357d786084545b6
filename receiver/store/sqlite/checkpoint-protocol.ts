/** What the checkpoint thread is started with. */
export interface CheckpointInit {
  readonly file: string;
  readonly sync: 'full' | 'normal';
  /** How long the thread waits after one checkpoint before the next, while the WAL is far from the backstop. */
  readonly intervalMs: number;
}

export type CheckpointRequest = { readonly op: 'close' };

export type CheckpointReport =
  | { readonly kind: 'ready' }
  /** A checkpoint that failed (the next one is tried after the interval); `error` is SQLite's message. */
  | { readonly kind: 'failed'; readonly error: string }
  /** A checkpoint that succeeded after failures. */
  | { readonly kind: 'recovered' };
