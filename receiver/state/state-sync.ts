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
  /**
   * A hold ended: every node releases or discards what it parked in its own outbox. Settles once that is
   * committed (a failure is the callee's to report).
   */
  readonly onHoldEnded: (integrationId: string, disposition: 'release' | 'discard') => Promise<void>;
  readonly logger: Logger;
}

/**
 * Keeps each IntegrationRuntime in step with the stored runtime state: at start, after this node's
 * own changes, and (in fleet mode) whenever another node publishes one.
 */
export class StateSync {
  private readonly byId: ReadonlyMap<string, IntegrationRuntime>;
  private unwatch: (() => void) | undefined;
  private readonly holdsEnding = new Map<string, Promise<void>>();

  constructor(private readonly options: StateSyncOptions) {
    this.byId = new Map(options.integrations.map((integration) => [integration.id, integration]));
  }

  async start(): Promise<void> {
    const stored = await this.options.store.loadAll();
    for (const runtime of this.byId.values()) {
      const own = stored.get(runtime.id);
      const state = own ? decodeState(unseal(this.options.masterKey, runtime.id, own.sealed)) : undefined;
      if (state) await this.apply(runtime, state);
      // A hold may have ended while this node was down: what it parked must not stay parked.
      // Not awaited: a store that is stuck must not keep the node from starting.
      if (runtime.kill?.mode !== 'hold') void this.endHold(runtime, state?.heldDisposition ?? 'release');
    }
    this.unwatch = this.options.store.watch((integrationId) => void this.refresh(integrationId));
  }

  stop(): void {
    this.unwatch?.();
  }

  /** The stored state, or (version 0) the state the config file implies. */
  private async current(runtime: IntegrationRuntime): Promise<VersionedState> {
    const stored = await this.options.store.load(runtime.id);
    if (!stored) return { version: 0, state: { kill: null, secrets: [...runtime.fileSecrets] } };
    return { version: stored.version, state: decodeState(unseal(this.options.masterKey, runtime.id, stored.sealed)) };
  }

  /**
   * The stored state, applied here first: a change made through another node may not have reached
   * this one yet, and a command must act on (and answer after) what this node then does, such as
   * releasing what a hold parked here.
   */
  async latest(runtime: IntegrationRuntime): Promise<VersionedState> {
    const current = await this.current(runtime);
    await this.apply(runtime, current.state);
    return current;
  }

  /** Stores `next` if nobody changed the state since `base` was read; applies it here at once (a hold's end included). */
  async store(runtime: IntegrationRuntime, base: VersionedState, next: IntegrationState): Promise<boolean> {
    const sealed = seal(this.options.masterKey, runtime.id, encodeState(next));
    if (!(await this.options.store.compareAndSet(runtime.id, base.version, { version: base.version + 1, sealed }))) return false;
    await this.apply(runtime, next);
    return true;
  }

  private async refresh(integrationId: string): Promise<void> {
    const targets = integrationId === '*' ? [...this.byId.values()] : [this.byId.get(integrationId)].filter((r) => r !== undefined);
    for (const runtime of targets) {
      try {
        await this.latest(runtime);
      } catch (error) {
        this.options.logger.error('cannot apply runtime state', { integration: runtime.id, error: errorText(error) });
      }
    }
  }

  /** Settles once what this node parked is released or discarded, whichever call saw the hold end (a notification or a command). */
  private async apply(runtime: IntegrationRuntime, state: IntegrationState): Promise<void> {
    runtime.setSecrets(state.secrets);
    const wasHolding = runtime.kill?.mode === 'hold';
    runtime.kill = state.kill;
    if (wasHolding && state.kill?.mode !== 'hold') void this.endHold(runtime, state.heldDisposition ?? 'release');
    await this.holdsEnding.get(runtime.id);
  }

  /** Releases or discards what the hold parked here, remembered until it settles so that a command meanwhile waits for it. */
  private endHold(runtime: IntegrationRuntime, disposition: 'release' | 'discard'): Promise<void> {
    const ending: Promise<void> = this.options.onHoldEnded(runtime.id, disposition).finally(() => {
      if (this.holdsEnding.get(runtime.id) === ending) this.holdsEnding.delete(runtime.id);
    });
    this.holdsEnding.set(runtime.id, ending);
    return ending;
  }
}
