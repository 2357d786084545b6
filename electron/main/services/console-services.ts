import { join } from 'node:path';
import type { EventPayload } from '../../../shared/contract/console.js';
import type { Logger } from '../../../receiver/observability/logger.js';
import { silentLogger } from '../../../receiver/observability/logger.js';
import { toDeliverySummary } from '../../../receiver/store/sqlite/delivery-queries.js';
import { AlertLog, type RaisedAlert } from './alerts/alert-log.js';
import { AlertMonitor } from './alerts/alert-monitor.js';
import { HealthMonitor } from './alerts/health-monitor.js';
import type { CommandHandlers, EventSink } from './command-handlers.js';
import { commandSet } from './console/command-set.js';
import { FleetRegistry } from './console/fleet-registry.js';
import { LocalFleet, localDelivery } from './console/local-fleet.js';
import { fleetResolver } from './console/resolve-fleet.js';
import { LiveStreams } from './fleets/live-streams.js';
import { LocalReceiver, type SeedStore } from './local-receiver/local-receiver.js';
import { ReplayService } from './replay/replay-service.js';
import { SettingsFile } from './settings/settings-file.js';
import type { CredentialStore } from './vault/credential-store.js';
import { KeytarCredentialStore } from './vault/keytar-credential-store.js';
import { Vault } from './vault/vault.js';

export interface ConsoleServiceOptions {
  /** The app's user-data folder: settings file, local receiver database. */
  readonly userDataDir: string;
  readonly emit: EventSink;
  /** The OS keychain by default; tests and other platforms may bring another store. */
  readonly credentials?: CredentialStore;
  readonly logger?: Logger;
  /** How often every fleet's health is polled; alerts follow a change within about this long. */
  readonly healthIntervalMs?: number;
}

export interface ConsoleServices {
  readonly handlers: CommandHandlers;
  close(): Promise<void>;
}

/**
 * The console's main-process services, composed: everything both transports (Electron IPC and
 * browser mode) serve. Plain Node: nothing here touches the `electron` module.
 */
export async function createConsoleServices(options: ConsoleServiceOptions): Promise<ConsoleServices> {
  const logger = options.logger ?? silentLogger;
  const settings = await SettingsFile.open(join(options.userDataDir, 'settings.json'));
  const vault = new Vault(options.credentials ?? new KeytarCredentialStore());
  const alertLog = new AlertLog();
  const raise = (raised: RaisedAlert[]): void => options.emit('alerts', { alerts: alertLog.add(raised) });
  const alerts = new AlertMonitor(raise);
  const live = new LiveStreams({
    sink: (event, payload) => {
      if (event === 'deliveries') alerts.observe((payload as EventPayload<'deliveries'>).deliveries);
      options.emit(event, payload);
    },
  });
  const registry = new FleetRegistry(settings, vault, (fleetId, connection) => {
    void (connection ? live.watch(connection) : live.unwatch(fleetId));
  });
  const local = new LocalReceiver({ userDataDir: options.userDataDir, seed: seedInVault(vault), logger });
  const localFleet = new LocalFleet(local);
  const fleet = fleetResolver(registry, localFleet);
  const replay = new ReplayService(async (input) => {
    const source = await fleet(input.fleetId);
    const { raw } = await source.raw(input.requestId, input.nodeUrl);
    const integration = (await source.integrations()).find((entry) => entry.id === raw.integrationId);
    return { raw, scheme: integration?.scheme ?? 'standard-webhooks' };
  }, local);

  const health = new HealthMonitor({ fleets: () => registry.watched(), raise, ...(options.healthIntervalMs ? { intervalMs: options.healthIntervalMs } : {}) });
  const handlers = commandSet({
    registry,
    fleet,
    local,
    replay,
    vault,
    alerts: alertLog,
    localPort: () => settings.current().localReceiver.port,
    streams: () => live.announce(),
    rememberLocalPort: async (port) => {
      await settings.update((current) => ({ ...current, localReceiver: { ...current.localReceiver, port } }));
    },
  });
  let unsubscribeLocal: (() => void) | undefined;
  const followLocal = (): void => {
    unsubscribeLocal?.();
    const engine = local.running();
    unsubscribeLocal = engine.feed.subscribe((record) => live.push(localDelivery(engine, toDeliverySummary(record, engine.nodeId))));
  };
  const start = handlers['localReceiver.start'];
  const stop = handlers['localReceiver.stop'];

  // Follow every fleet whose token is at hand (the health monitor opens them); one whose token went missing waits for the operator.
  health.start();

  return {
    handlers: {
      ...handlers,
      'localReceiver.start': async (input) => {
        const status = await start(input);
        followLocal();
        return status;
      },
      'localReceiver.stop': async (input) => {
        unsubscribeLocal?.();
        unsubscribeLocal = undefined;
        return stop(input);
      },
    },
    async close() {
      await health.stop();
      unsubscribeLocal?.();
      await live.stop();
      await local.stop();
    },
  };
}

/** The local receiver's seed lives in the keychain beside the fleets' tokens; without a keychain, for this session only. */
function seedInVault(vault: Vault): SeedStore {
  return {
    load: () => vault.keptSecret('local', 'local-receiver', 'seed'),
    save: (seed) => vault.keepSecret('local', 'local-receiver', 'seed', seed),
  };
}
