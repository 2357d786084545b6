import type { Logger } from '../observability/logger.js';
import { errorText } from '../observability/logger.js';
import type { IntegrationRuntime } from '../pipeline/integration-runtime.js';
import type { StateStore } from '../store/state-store.js';
import { decodeState, encodeState, type IntegrationState } from './integration-state.js';
import { seal, unseal } from './seal.js';

export interface VersionedState {
  readonly version: number;
  readonly state: IntegrationState;
}

export interface StateSyncOptions {
  readonly integrations: readonly IntegrationRuntime[];
  readonly store: StateStore;
  readonly masterKey: Buffer;
  /** A hold ended: every node releases or discards what it parked in its own outbox. */
  readonly onHoldEnded: (integrationId: string, disposition: 'release' | 'discard') => void;
  readonly logger: Logger;
}

/**
 * Keeps each IntegrationRuntime in step with the stored runtime state: at start, after this node's
 * own changes, and (in fleet mode) whenever another node publishes one.
 */
export class StateSync {
  private readonly byId: ReadonlyMap<string, IntegrationRuntime>;
  private unwatch: (() => void) | undefined;

  constructor(private readonly options: StateSyncOptions) {
    this.byId = new Map(options.integrations.map((integration) => [integration.id, integration]));
  }

  async start(): Promise<void> {
    const stored = await this.options.store.loadAll();
    for (const runtime of this.byId.values()) {
      const own = stored.get(runtime.id);
      const state = own ? decodeState(unseal(this.options.masterKey, runtime.id, own.sealed)) : undefined;
      if (state) this.apply(runtime, state);
      // A hold may have ended while this node was down: what it parked must not stay parked.
      if (runtime.kill?.mode !== 'hold') this.options.onHoldEnded(runtime.id, state?.heldDisposition ?? 'release');
    }
    this.unwatch = this.options.store.watch((integrationId) => void this.refresh(integrationId));
  }

  stop(): void {
    this.unwatch?.();
  }

  /** The stored state, or (version 0) the state the config file implies. */
  async current(runtime: IntegrationRuntime): Promise<VersionedState> {
    const stored = await this.options.store.load(runtime.id);
    if (!stored) return { version: 0, state: { kill: null, secrets: [...runtime.fileSecrets] } };
    return { version: stored.version, state: decodeState(unseal(this.options.masterKey, runtime.id, stored.sealed)) };
  }

  /** Stores `next` if nobody changed the state since `base` was read; applies it here at once. */
  async store(runtime: IntegrationRuntime, base: VersionedState, next: IntegrationState): Promise<boolean> {
    const sealed = seal(this.options.masterKey, runtime.id, encodeState(next));
    if (!(await this.options.store.compareAndSet(runtime.id, base.version, { version: base.version + 1, sealed }))) return false;
    this.apply(runtime, next);
    return true;
  }

  private async refresh(integrationId: string): Promise<void> {
    const targets = integrationId === '*' ? [...this.byId.values()] : [this.byId.get(integrationId)].filter((r) => r !== undefined);
    for (const runtime of targets) {
      try {
        this.apply(runtime, (await this.current(runtime)).state);
      } catch (error) {
        this.options.logger.error('cannot apply runtime state', { integration: runtime.id, error: errorText(error) });
      }
    }
  }

  private apply(runtime: IntegrationRuntime, state: IntegrationState): void {
    runtime.setSecrets(state.secrets);
    const wasHolding = runtime.kill?.mode === 'hold';
    runtime.kill = state.kill;
    if (wasHolding && state.kill?.mode !== 'hold') this.options.onHoldEnded(runtime.id, state.heldDisposition ?? 'release');
  }
}
