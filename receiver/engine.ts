import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { replayLogSource } from './store/dedupe/replay-log-source.js';
import { ReplaySpill } from './store/dedupe/replay-spill.js';
import { resolve } from 'node:path';
import { describeRedisTarget, redisTarget } from './store/redis/redis-target.js';
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
import { IntegrationConfigError, IntegrationRuntime, type FirstSeen } from './pipeline/integration-runtime.js';
import { openSharedState } from './store/shared-state.js';
import { Outbox } from './store/sqlite/outbox.js';
import { StoreWriter } from './store/sqlite/store-writer.js';
import { Checkpointer } from './store/sqlite/checkpointer.js';
import { openCapture } from './store/capture-codec.js';
import { StoreHealth } from './store/store-health.js';
import type { DeliverySink } from './sinks/delivery-sink.js';
import { HttpForwarder } from './sinks/http-forwarder.js';
import { AmqpSink, amqpSinkOptions } from './sinks/amqp-sink.js';
import { OutboxDispatcher } from './sinks/outbox-dispatcher.js';
import type { ReceiverConfig } from '../shared/contract/receiver-config.js';
import { openConfiguredStore } from './config/storage-location.js';
import { SecretFirstSeen } from './state/secret-first-seen.js';
import { loadMasterKey } from './state/master-key.js';
import { StateSync } from './state/state-sync.js';
import { RuntimeViews, type DownstreamBacklog } from './admin/runtime-views.js';
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
  /** How often retention and the storage ceiling are enforced; default a minute. */
  readonly maintenanceIntervalMs?: number;
  /** How long `close()` lets requests in flight finish before it cuts their connections; default 10 s. */
  readonly shutdownGraceMs?: number;
}

const MAINTENANCE_INTERVAL_MS = 60_000;
/** Deliveries waiting for a commit beyond which the ingress answers 503 instead of queueing without bound. */
const MAX_WRITE_BACKLOG = 20_000;
/** How long the writer waits for SQLite's lock (held by another process) before a commit fails. */
const WRITER_BUSY_TIMEOUT_MS = 5_000;
/** How often the checkpoint thread copies the WAL into the database file (more often near the backstop: checkpoint-schedule.ts). */
const CHECKPOINT_INTERVAL_MS = 1_000;
const SHUTDOWN_GRACE_MS = 10_000;
/**
 * The filter of the replay keys on disk is sized for at most this many per key memory holds (10 bits each: 10 bytes
 * per key of storage.dedupeIndexMaxKeys). Past it the filter rules out fewer keys, and more lookups read the file.
 */
const SPILL_FILTER_KEYS_PER_MEMORY_KEY = 8;

/** Opens the store, builds every integration (so a bad secret fails before anything listens), then listens. */
export async function startReceiver(loaded: LoadedConfig, options: EngineOptions): Promise<ReceiverEngine> {
  const { config, baseDir } = loaded;
  const now = options.now ?? Date.now;
  const storageDir = resolve(baseDir, config.storage.path);
  const db = openConfiguredStore(loaded, storageDir);
  // Secrets without a configured createdAt are dated by when this node first saw them (kept in the store).
  const firstSeen = new SecretFirstSeen(db);
  let integrations: IntegrationRuntime[];
  try {
    integrations = buildIntegrations(loaded, options.env, now(), (integrationId, secretId, value) => firstSeen.at(integrationId, secretId, value, now()));
  } catch (error) {
    db.close();
    throw error;
  }
  const trustedProxies = config.ingress.trustedProxies.length > 0 ? addressList(config.ingress.trustedProxies) : undefined;

  const masterKey = loadMasterKey(storageDir, options.env ?? process.env);
  const startedAt = now();
  const shared = await openSharedState(config, loaded.nodeId, db, now);
  // The replay index loads in slices from here while the rest starts (the writer thread boots meanwhile);
  // the node takes deliveries before it is whole: their claims wait for it.
  let stopping = false;
  // The replay keys memory has no room for live on disk beside the log (replay-spill.ts).
  const spill = shared.replayIndex
    ? ReplaySpill.open(db, { directory: storageDir, logger: options.logger, maxFilterKeys: SPILL_FILTER_KEYS_PER_MEMORY_KEY * config.storage.dedupeIndexMaxKeys })
    : undefined;
  if (shared.replayIndex && spill) {
    const index = shared.replayIndex;
    const started = performance.now();
    index.load({ log: replayLogSource(db), spill, now, logger: options.logger }).then(
      () => options.logger.info('replay index loaded', { keys: index.stats.keys, keysOnDisk: index.stats.spilledKeys, ms: Math.round(performance.now() - started) }),
      (error: unknown) => {
        // A start that failed further on, or a close, shuts the store under the load: nothing to report then.
        if (!stopping) options.logger.error('loading the replay index failed; deliveries get 503 until a restart', { error: errorText(error) });
      },
    );
  }
  const writer = new StoreWriter({
    file: resolve(storageDir, 'receiver.db'),
    sync: config.storage.sync,
    busyTimeoutMs: WRITER_BUSY_TIMEOUT_MS,
    masterKey,
    redact: Object.fromEntries(integrations.map((integration) => [integration.id, integration.capture.redact])),
  });
  const checkpointer = new Checkpointer({ file: resolve(storageDir, 'receiver.db'), sync: config.storage.sync, intervalMs: CHECKPOINT_INTERVAL_MS }, options.logger);
  // Both threads boot side by side (each loads its modules and opens its connection).
  await Promise.all([writer.start(), checkpointer.start()]);
  /** Closes the store after a failed start or at the end: threads first (the writer commits what is queued), then the state and the file. */
  const closeStore = async (): Promise<void> => {
    // The replay index may still be loading from the file about to close: that failure is expected, not reported.
    stopping = true;
    await checkpointer.close();
    await writer.close();
    await spill?.close();
    await shared.close();
    db.close();
  };
  const metrics = new ReceiverMetrics(loaded.nodeId);
  const feed = new DeliveryFeed();
  try {
    // Before anything listens or forwards: a retry of a delivery this node committed must meet its claim.
    const reconciled = await shared.reconcile((seqs) => writer.supersede(seqs));
    if (reconciled && reconciled.checked > 0) options.logger.info('reconciled recent commits with the fleet', { ...reconciled });
  } catch (error) {
    await closeStore();
    throw error;
  }
  const openStored = (integrationId: string, stored: Buffer) => openCapture(masterKey, integrationId, stored);
  const outbox = new Outbox(db, openStored, (seqs) => writer.markSent(seqs));
  // What the writer stores of these integrations' captures is what they received: the dispatcher can take it from memory.
  const verbatimCaptures = new Set(integrations.filter((integration) => integration.capture.redact.length === 0).map((integration) => integration.id));
  const dispatcher = downstreamDispatcher(loaded, outbox, shared.streamSink, options);
  const storeHealth = new StoreHealth({ writer, stallMs: config.storage.commitStallSeconds * 1000, maxBacklog: MAX_WRITE_BACKLOG, redis: shared.redisHealth, logger: options.logger });
  const ingress = new Ingress({
    integrations,
    store: {
      write: (write) =>
        writer.write(write).then((seq) => {
          storeHealth.succeeded();
          if (write.outbox === 'ready') dispatcher?.ready(seq, write.record.integrationId !== null && verbatimCaptures.has(write.record.integrationId) ? write.capture : undefined);
          return seq;
        }),
      refusal: () => storeHealth.refusal(),
    },
    replayCache: shared.replayCache,
    rateLimiter: shared.rateLimiter,
    feed,
    observe: (record) => metrics.observe(record),
    trustedProxies,
    now,
    onStoreError: (error) => storeHealth.failed(error),
    onReplayCommitError: (error) => storeHealth.failed(error),
    onRecordDropped: () => metrics.recordDropped(),
  });
  const downstream = (): DownstreamBacklog => {
    const backlog = outbox.backlog();
    return { ok: true, backlog: backlog.count, oldestAgeSeconds: backlog.oldestAt === null ? null : Math.max(0, Math.round((now() - backlog.oldestAt) / 1000)) };
  };
  const health: HealthProbe = () => {
    const state = storeHealth.state();
    // While the replay index loads the node takes deliveries (their claims wait for it); only a failed load makes it unready.
    const index = shared.replayIndex?.status;
    const dedupe = index === 'loading' || index === 'failed' ? { dedupe: index } : {};
    return {
      ready: state.ready && index !== 'failed',
      detail: { node: loaded.nodeId, store: state.store, ...(state.redis ? { redis: state.redis } : {}), ...dedupe },
    };
  };

  const sync = new StateSync({
    integrations,
    store: shared.stateStore,
    masterKey,
    onHoldEnded: (integrationId, disposition) =>
      (disposition === 'release' ? writer.releaseHeld(integrationId) : writer.discardHeld(integrationId)).then(
        (count) => {
          if (count > 0) options.logger.info(`held deliveries ${disposition === 'release' ? 'released' : 'discarded'}`, { integration: integrationId, count });
          dispatcher?.wake();
        },
        (error: unknown) => options.logger.error('ending a hold failed', { integration: integrationId, error: errorText(error) }),
      ),
    logger: options.logger,
  });
  await sync.start();
  const { redisHealth, replayIndex } = shared;
  metrics.watch({
    integrations,
    storeUp: () => storeHealth.state().store === 'ok',
    redisUp: redisHealth && (() => redisHealth().ok),
    backlog: () => outbox.backlog(),
    replayIndex: replayIndex && (() => replayIndex.stats),
    now,
  });
  const views = new RuntimeViews(db, {
    nodeId: loaded.nodeId,
    version: RECEIVER_VERSION,
    startedAt,
    sharedState: sharedStateId(config),
    health: () => {
      const redis = shared.redisHealth?.();
      const state = storeHealth.state();
      return { storage: state.store === 'ok' ? { ok: true } : { ok: false, detail: state.store }, ...(redis ? { redis } : {}) };
    },
    ready: () => health().ready,
    downstream,
  });
  const audit = new AuditLog(db);
  const commands = new IntegrationCommands({
    integrations,
    sync,
    audit,
    view: (runtime) => views.integration(runtime, now()),
    now,
    redrive: async (selection) => {
      const result = await writer.redrive(selection);
      if (result.requeued > 0) dispatcher?.wake();
      return result;
    },
  });

  const log = new SqliteDeliveryQueries(db, loaded.nodeId, { now, openCapture: openStored, replayCacheSize: () => shared.replayIndex?.stats.keys ?? 0 });
  const queries = composeAdminQueries({ nodeId: loaded.nodeId, log, audit, views, integrations, feed, now });

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
  let ingressUrl: string;
  let adminUrl: string | undefined;
  try {
    ingressUrl = await listen(ingressServer, config.ingress.listen, 'ingress.listen');
    if (config.admin && adminServer) {
      servers.push(adminServer);
      adminUrl = await listenAdmin(adminServer, config.admin.listen);
    }
  } catch (error) {
    // A port clash must not leave the other listener, the state watch, the writer or the store open behind it.
    sync.stop();
    await Promise.all(servers.map((server) => closeGracefully(server, 0)));
    await closeStore();
    throw error;
  }

  const logRetentionMs = config.storage.logRetentionDays * 86_400_000;
  const replayWindowMs = Math.max(0, ...integrations.map((integration) => Math.max(integration.idWindowMs, integration.signatureWindowMs)));
  const maintain = async (): Promise<void> => {
    try {
      const result = await writer.purge({ now: now(), logRetentionMs, replayWindowMs, maxBytes: config.storage.maxBytes });
      if (result.rows + result.captures > 0) options.logger.info('purged expired rows', { rows: result.rows, captures: result.captures });
      metrics.storageUsed(result.usedBytes);
      if (result.ceilingCaptures > 0) {
        metrics.ceilingPurged(result.ceilingCaptures, result.ceilingBytes);
        options.logger.warn('storage above storage.maxBytes: oldest captures purged', {
          captures: result.ceilingCaptures,
          bytes: result.ceilingBytes,
          usedBytes: result.usedBytes,
          maxBytes: config.storage.maxBytes,
        });
      }
    } catch (error) {
      options.logger.error('purge failed', { error: errorText(error) });
    }
  };
  void maintain();
  const maintenanceTimer = setInterval(() => void maintain(), options.maintenanceIntervalMs ?? MAINTENANCE_INTERVAL_MS).unref();
  const redisWatch = setInterval(() => storeHealth.state(), 1_000).unref();
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
      clearInterval(maintenanceTimer);
      clearInterval(redisWatch);
      sync.stop();
      await Promise.all(servers.map((server) => closeGracefully(server, options.shutdownGraceMs ?? SHUTDOWN_GRACE_MS)));
      await dispatcher?.stop();
      await closeStore();
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
    // One delivery per outbox commit: a node killed after the broker's confirm publishes at most that one again.
    return new OutboxDispatcher(outbox, sink, { initialBackoffMs: downstream.initialBackoffMs, maxBackoffMs: downstream.maxBackoffMs, logger, batchSize: 1 });
  }
  if (downstream?.type === 'http') {
    const sink = new HttpForwarder(downstream);
    return new OutboxDispatcher(outbox, sink, { initialBackoffMs: downstream.initialBackoffMs, maxBackoffMs: downstream.maxBackoffMs, logger });
  }
  return streamSink && new OutboxDispatcher(outbox, streamSink, { initialBackoffMs: 200, maxBackoffMs: 5_000, logger });
}

/** Resolves secrets, prepares keys and compiles schemas; every problem is reported with its key path. */
export function buildIntegrations(loaded: LoadedConfig, env: NodeJS.ProcessEnv | undefined, now: number, firstSeen?: FirstSeen): IntegrationRuntime[] {
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
          ...(firstSeen === undefined ? {} : { firstSeen }),
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
