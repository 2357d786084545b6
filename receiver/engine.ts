import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { describeRedisTarget, redisTarget } from './store/redis/redis-connection.js';
import type { Server } from 'node:http';
import { ConfigError } from './config/config-error.js';
import type { LoadedConfig } from './config/load-config.js';
import { closeGracefully, listen } from './http/listen.js';
import { createIngressServer, type HealthProbe } from './http/ingress-server.js';
import { errorText, type Logger } from './observability/logger.js';
import { ReceiverMetrics } from './observability/metrics.js';
import { addressList } from './pipeline/address-list.js';
import { DeliveryFeed } from './pipeline/delivery-feed.js';
import { Ingress } from './pipeline/ingress.js';
import { IntegrationConfigError, IntegrationRuntime } from './pipeline/integration-runtime.js';
import { DeliveryWriter } from './store/sqlite/delivery-writer.js';
import { openDatabase } from './store/sqlite/open-database.js';
import { purgeExpired } from './store/sqlite/retention.js';
import { openSharedState } from './store/shared-state.js';
import { Outbox } from './store/sqlite/outbox.js';
import type { DeliverySink } from './sinks/delivery-sink.js';
import { HttpForwarder } from './sinks/http-forwarder.js';
import { AmqpSink, amqpSinkOptions } from './sinks/amqp-sink.js';
import { OutboxDispatcher } from './sinks/outbox-dispatcher.js';
import type { ReceiverConfig } from '../shared/contract/receiver-config.js';
import { loadMasterKey } from './state/master-key.js';
import { StateSync } from './state/state-sync.js';
import { RuntimeViews } from './admin/runtime-views.js';
import { createAdminServer, listenAdmin } from './admin/admin-server.js';
import { composeAdminQueries } from './admin/admin-queries.js';
import { AuditLog } from './store/sqlite/audit-log.js';
import { SqliteDeliveryQueries } from './store/sqlite/delivery-queries.js';
import { IntegrationCommands } from './admin/integration-commands.js';
import type { AdminCommands, AdminQueries } from './admin/admin-service.js';
import { RECEIVER_VERSION } from './version.js';

export interface ReceiverEngine {
  readonly nodeId: string;
  readonly ingressUrl: string;
  readonly adminUrl: string | undefined;
  readonly integrations: readonly IntegrationRuntime[];
  readonly feed: DeliveryFeed;
  readonly views: RuntimeViews;
  readonly commands: AdminCommands;
  /** The admin API's read side, for an embedding process (the console's local receiver) that needs no HTTP. */
  readonly queries: AdminQueries;
  /** Stops accepting, finishes what is in flight, flushes and closes the store. */
  close(): Promise<void>;
}

export interface EngineOptions {
  readonly logger: Logger;
  readonly env?: NodeJS.ProcessEnv;
  readonly now?: () => number;
}

const RETENTION_INTERVAL_MS = 60_000;
const SHUTDOWN_GRACE_MS = 10_000;

/** Builds every integration first (so a bad secret fails before anything listens), then opens the store and listens. */
export async function startReceiver(loaded: LoadedConfig, options: EngineOptions): Promise<ReceiverEngine> {
  const { config, baseDir } = loaded;
  const now = options.now ?? Date.now;
  const integrations = buildIntegrations(loaded, options.env, now());
  const trustedProxies = config.ingress.trustedProxies.length > 0 ? addressList(config.ingress.trustedProxies) : undefined;

  const storageDir = resolve(baseDir, config.storage.path);
  const db = openDatabase({ directory: storageDir, sync: config.storage.sync });
  const startedAt = now();
  const writer = new DeliveryWriter(db);
  const metrics = new ReceiverMetrics(loaded.nodeId);
  const feed = new DeliveryFeed();
  const shared = await openSharedState(config, db);
  const outbox = new Outbox(db);
  const dispatcher = downstreamDispatcher(loaded, outbox, shared.streamSink, options);
  let storeHealthy = true;
  const ingress = new Ingress({
    integrations,
    store: {
      write: (write) =>
        writer.write(write).then((seq) => {
          storeHealthy = true;
          if (write.outbox === 'ready') dispatcher?.wake();
          return seq;
        }),
    },
    replayCache: shared.replayCache,
    rateLimiter: shared.rateLimiter,
    feed,
    observe: (record) => metrics.observe(record),
    trustedProxies,
    now,
    onStoreError: (error) => {
      storeHealthy = false;
      options.logger.error('store write failed', { error: errorText(error) });
    },
  });
  const health: HealthProbe = () => {
    const redis = shared.redisHealth?.();
    return {
      ready: storeHealthy && (redis?.ok ?? true),
      detail: { node: loaded.nodeId, store: storeHealthy ? 'ok' : 'failing', ...(redis ? { redis: redis.ok ? 'ok' : 'unreachable' } : {}) },
    };
  };

  const sync = new StateSync({
    integrations,
    store: shared.stateStore,
    masterKey: loadMasterKey(storageDir, options.env ?? process.env),
    onHoldEnded: (integrationId, disposition) => {
      const count = disposition === 'release' ? outbox.releaseHeld(integrationId) : outbox.discardHeld(integrationId);
      if (count > 0) options.logger.info(`held deliveries ${disposition === 'release' ? 'released' : 'discarded'}`, { integration: integrationId, count });
      dispatcher?.wake();
    },
    logger: options.logger,
  });
  await sync.start();
  const { redisHealth } = shared;
  metrics.watch({
    integrations,
    storeUp: () => storeHealthy,
    redisUp: redisHealth && (() => redisHealth().ok),
    backlog: () => outbox.backlog(),
    now,
  });
  const views = new RuntimeViews(db, {
    nodeId: loaded.nodeId,
    version: RECEIVER_VERSION,
    startedAt,
    sharedState: sharedStateId(config),
    health: () => {
      const redis = shared.redisHealth?.();
      return { storage: { ok: storeHealthy }, ...(redis ? { redis } : {}) };
    },
  });
  const audit = new AuditLog(db);
  const commands = new IntegrationCommands({ integrations, sync, audit, view: (runtime) => views.integration(runtime, now()), now });

  const queries = composeAdminQueries({ nodeId: loaded.nodeId, log: new SqliteDeliveryQueries(db, loaded.nodeId, now), audit, views, integrations, feed, now });

  // Built before anything listens, so an unreadable TLS file fails the start instead of half of it.
  const adminServer =
    config.admin &&
    createAdminServer({
      config: config.admin,
      baseDir,
      configFile: loaded.file,
      queries,
      commands,
      registry: metrics.registry,
      health,
      logger: options.logger,
      now,
    });

  const servers: Server[] = [];
  const ingressServer = createIngressServer(config.ingress, ingress.handle, health);
  servers.push(ingressServer);
  const ingressUrl = await listen(ingressServer, config.ingress.listen);
  let adminUrl: string | undefined;
  if (config.admin && adminServer) {
    servers.push(adminServer);
    adminUrl = await listenAdmin(adminServer, config.admin.listen);
  }

  const logRetentionMs = config.storage.logRetentionDays * 86_400_000;
  const purge = (): void => {
    try {
      const removed = purgeExpired(db, now(), { logRetentionMs });
      if (removed > 0) options.logger.info('purged expired rows', { removed });
    } catch (error) {
      options.logger.error('purge failed', { error: errorText(error) });
    }
  };
  purge();
  const retentionTimer = setInterval(purge, RETENTION_INTERVAL_MS).unref();
  dispatcher?.start();

  return {
    nodeId: loaded.nodeId,
    ingressUrl,
    adminUrl,
    integrations,
    feed,
    views,
    commands,
    queries,
    async close() {
      clearInterval(retentionTimer);
      sync.stop();
      await Promise.all(servers.map((server) => closeGracefully(server, SHUTDOWN_GRACE_MS)));
      writer.flush();
      await dispatcher?.stop();
      await shared.close();
      db.close();
    },
  };
}

/** Names the Redis state a node shares, without revealing its address or credentials. */
function sharedStateId(config: ReceiverConfig): string | null {
  if (!config.redis) return null;
  return createHash('sha256').update(`${describeRedisTarget(redisTarget(config.redis))}|${config.redis.keyPrefix}`).digest('hex').slice(0, 16);
}

/** The downstream of accepted deliveries: a Redis Stream (fleet default), an HTTP service, or none (the outbox is the queue). */
function downstreamDispatcher(loaded: LoadedConfig, outbox: Outbox, streamSink: DeliverySink | undefined, { logger, env }: EngineOptions): OutboxDispatcher | undefined {
  const downstream = loaded.config.downstream;
  if (downstream?.type === 'amqp') {
    const sink = new AmqpSink(amqpSinkOptions(downstream, loaded.file, loaded.baseDir, env ?? process.env));
    return new OutboxDispatcher(outbox, sink, { initialBackoffMs: downstream.initialBackoffMs, maxBackoffMs: downstream.maxBackoffMs, logger });
  }
  if (downstream?.type === 'http') {
    const sink = new HttpForwarder(downstream);
    return new OutboxDispatcher(outbox, sink, { initialBackoffMs: downstream.initialBackoffMs, maxBackoffMs: downstream.maxBackoffMs, logger });
  }
  return streamSink && new OutboxDispatcher(outbox, streamSink, { initialBackoffMs: 200, maxBackoffMs: 5_000, logger });
}

/** Resolves secrets, prepares keys and compiles schemas; every problem is reported with its key path. */
export function buildIntegrations(loaded: LoadedConfig, env: NodeJS.ProcessEnv | undefined, now: number): IntegrationRuntime[] {
  const problems: { path: string; message: string }[] = [];
  const built: IntegrationRuntime[] = [];
  loaded.config.integrations.forEach((integration, index) => {
    try {
      built.push(
        new IntegrationRuntime(integration, {
          baseDir: loaded.baseDir,
          defaultMaxBodyBytes: loaded.config.ingress.maxBodyBytes,
          now,
          ...(env === undefined ? {} : { env }),
        }),
      );
    } catch (error) {
      if (!(error instanceof IntegrationConfigError)) throw error;
      problems.push({ path: `integrations[${index}].${error.keyPath}`, message: error.message });
    }
  });
  if (problems.length > 0) throw new ConfigError(loaded.file, problems);
  return built;
}
