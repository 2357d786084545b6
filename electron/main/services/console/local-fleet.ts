import type { AuditLog, DeliveryDetail, RawDelivery, StatsView } from '../../../../shared/contract/admin-api.js';
import { LOCAL_FLEET_ID, type FleetDelivery, type IntegrationEntry, type NodeResult } from '../../../../shared/contract/console.js';
import { AdminError } from '../../../../receiver/admin/admin-service.js';
import type { ReceiverEngine } from '../../../../receiver/engine.js';
import { ConsoleError } from '../console-error.js';
import type { DeliveriesQuery, FleetDeliveryPage, FleetOperation, PerNode } from '../fleets/fleet-connection.js';
import { CONSOLE_ACTOR, type LocalReceiver } from '../local-receiver/local-receiver.js';

/** What the command handlers need of a fleet: a remote FleetConnection, or the local receiver through LocalFleet. */
export interface ConsoleFleet {
  readonly id: string;
  integrations(): Promise<IntegrationEntry[]>;
  fanOut(operation: FleetOperation, onlyUrls?: readonly string[]): Promise<NodeResult[]>;
  deliveries(query: DeliveriesQuery): Promise<FleetDeliveryPage>;
  delivery(requestId: string, nodeUrl?: string): Promise<DeliveryDetail & { fleetId: string; nodeUrl: string }>;
  raw(requestId: string, nodeUrl?: string): Promise<{ nodeUrl: string; raw: RawDelivery }>;
  stats(params: { since?: string | undefined; step?: number | undefined }): Promise<PerNode<'stats', StatsView>[]>;
  audit(): Promise<PerNode<'audit', AuditLog>[]>;
}

/** The built-in local receiver seen as a one-node fleet, served in-process instead of over its admin API. */
export class LocalFleet implements ConsoleFleet {
  readonly id = LOCAL_FLEET_ID;

  constructor(
    private readonly local: LocalReceiver,
    private readonly now: () => number = Date.now,
  ) {}

  integrations(): Promise<IntegrationEntry[]> {
    const engine = this.local.running();
    return Promise.resolve(
      engine.integrations.map((runtime) => {
        const view = engine.views.integration(runtime, this.now());
        return {
          ...view,
          fleetId: LOCAL_FLEET_ID,
          nodes: [{ url: engine.ingressUrl, status: view.status, secretIds: view.secrets.map((secret) => secret.id) }],
          warnings: [],
        };
      }),
    );
  }

  async fanOut(operation: FleetOperation): Promise<NodeResult[]> {
    const engine = this.local.running();
    const { commands } = engine;
    try {
      switch (operation.kind) {
        case 'kill':
          await commands.kill(CONSOLE_ACTOR, operation.integrationId, { mode: operation.mode, reason: operation.reason });
          break;
        case 'release':
          await commands.release(CONSOLE_ACTOR, operation.integrationId, { reason: operation.reason, ...(operation.held ? { held: operation.held } : {}) });
          break;
        case 'addSecret':
          await commands.addSecret(CONSOLE_ACTOR, operation.integrationId, {
            secret: operation.secret,
            id: operation.secretId,
            ...(operation.overlapSeconds === undefined ? {} : { overlapSeconds: operation.overlapSeconds }),
          });
          break;
        case 'confirmSecret':
          // The console never adds a pending secret here (see integrations.rotateSecret): there is nothing to confirm.
          return [{ url: engine.ingressUrl, ok: false, error: 'the local receiver\'s rotations start their overlap at once: there is nothing to confirm' }];
        case 'retireSecret':
          await commands.retireSecret(CONSOLE_ACTOR, operation.integrationId, operation.secretId);
          break;
      }
    } catch (error) {
      if (error instanceof AdminError) return [{ url: engine.ingressUrl, ok: false, error: error.message }];
      throw error;
    }
    return [{ url: engine.ingressUrl, ok: true }];
  }

  deliveries(query: DeliveriesQuery): Promise<FleetDeliveryPage> {
    const engine = this.local.running();
    const page = engine.queries.deliveries({
      ...(query.integration ? { integration: query.integration } : {}),
      ...(query.outcome ? { outcome: [...query.outcome] } : {}),
      ...(query.reason ? { reason: [...query.reason] } : {}),
      ...(query.since ? { since: query.since } : {}),
      ...(query.until ? { until: query.until } : {}),
      ...(query.deliveryId ? { deliveryId: query.deliveryId } : {}),
      ...(query.requestId ? { requestId: query.requestId } : {}),
      ...(query.sourceIp ? { sourceIp: query.sourceIp } : {}),
      ...(query.cursor ? { cursor: query.cursor } : {}),
      limit: query.limit ?? 100,
    });
    const deliveries: FleetDelivery[] = page.deliveries.map((delivery) => ({ ...delivery, fleetId: LOCAL_FLEET_ID, nodeUrl: engine.ingressUrl }));
    return Promise.resolve({ deliveries, nextCursor: page.nextCursor, errors: [] });
  }

  delivery(requestId: string): Promise<DeliveryDetail & { fleetId: string; nodeUrl: string }> {
    const engine = this.local.running();
    const detail = engine.queries.delivery(requestId);
    if (!detail) return Promise.reject(new ConsoleError('not_found', `no delivery ${requestId} in the local receiver`));
    return Promise.resolve({ ...detail, fleetId: LOCAL_FLEET_ID, nodeUrl: engine.ingressUrl });
  }

  raw(requestId: string): Promise<{ nodeUrl: string; raw: RawDelivery }> {
    const engine = this.local.running();
    const raw = engine.queries.raw(requestId);
    if (!raw) return Promise.reject(new ConsoleError('not_found', `no captured request ${requestId} in the local receiver`));
    return Promise.resolve({ nodeUrl: engine.ingressUrl, raw });
  }

  stats(params: { since?: string | undefined; step?: number | undefined }): Promise<PerNode<'stats', StatsView>[]> {
    const engine = this.local.running();
    return Promise.resolve([
      { url: engine.ingressUrl, stats: engine.queries.stats({ ...(params.since ? { since: params.since } : {}), step: params.step ?? 60 }) },
    ]);
  }

  audit(): Promise<PerNode<'audit', AuditLog>[]> {
    const engine = this.local.running();
    return Promise.resolve([{ url: engine.ingressUrl, audit: engine.queries.audit() }]);
  }
}

/** Deliveries of the local receiver as the live feed carries them. */
export function localDelivery(engine: ReceiverEngine, delivery: Omit<FleetDelivery, 'fleetId' | 'nodeUrl'>): FleetDelivery {
  return { ...delivery, fleetId: LOCAL_FLEET_ID, nodeUrl: engine.ingressUrl };
}
