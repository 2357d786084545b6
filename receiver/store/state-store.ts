/** One integration's runtime state as stored: an opaque blob sealed with the master key, and its version. */
export interface SealedState {
  readonly version: number;
  readonly sealed: Buffer;
}

/**
 * Where runtime state set through the admin API lives: the node's SQLite file, or Redis in fleet
 * mode so that every node applies a change. Sealing happens above this interface, so a store
 * only ever sees ciphertext.
 */
export interface StateStore {
  loadAll(): Promise<Map<string, SealedState>>;
  load(integrationId: string): Promise<SealedState | undefined>;
  /** Stores `next` only if the stored version is still `expectedVersion` (0: nothing stored yet); false when another writer won. */
  compareAndSet(integrationId: string, expectedVersion: number, next: SealedState): Promise<boolean>;
  /** Calls `onChange` with the integration id whenever any writer (this node or another) changed its state. */
  watch(onChange: (integrationId: string) => void): () => void;
  close(): Promise<void>;
}
