import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { KillSwitch, StoredSecret } from '../state/integration-state.js';
import type { DeliveryRecord } from '../store/delivery-record.js';
import { OutcomeHistogram } from './outcome-histogram.js';

/** What the state gauges read, at scrape time only: nothing here runs on the path of a delivery. */
export interface NodeProbes {
  readonly integrations: readonly { readonly id: string; readonly kill: KillSwitch | null; readonly secretSpecs: readonly StoredSecret[] }[];
  storeUp(): boolean;
  /** Absent on a node without Redis, and so is its gauge. */
  readonly redisUp: (() => boolean) | undefined;
  /** Accepted deliveries not yet handed downstream, and the arrival time (Unix ms) of the oldest. */
  backlog(): { readonly count: number; readonly oldestAt: number | null };
  /** The single node's replay keys in memory (and the bytes they take) and on disk; absent in a fleet, and so are its gauges. */
  readonly replayIndex: (() => { readonly keys: number; readonly bytes: number; readonly spilledKeys: number }) | undefined;
  now(): number;
}

type DeliveryLabels = { readonly integration: string; readonly outcome: string; readonly reason: string };

/** Deliveries counted since the last scrape under one set of labels. */
interface Tally {
  readonly labels: DeliveryLabels;
  count: number;
}

/** Prometheus metrics of one receiver node, in their own registry so several engines can share a process. */
export class ReceiverMetrics {
  readonly registry = new Registry();
  /**
   * Deliveries counted since the last scrape, by integration, then outcome, then reason: handed to the
   * counter when it is collected. prom-client's inc() validates and hashes its labels on every call, work
   * the event loop did for every delivery. Bounded by the configured integrations times the outcomes and reasons.
   */
  private readonly tallies = new Map<string, Map<string, Map<string, Tally>>>();
  private readonly deliveries = new Counter({
    name: 'hookwarden_deliveries_total',
    help: 'Requests to the ingress by integration, outcome and reason.',
    labelNames: ['integration', 'outcome', 'reason'] as const,
    registers: [this.registry],
    collect: () => this.flushTallies(),
  });
  private readonly latency = new OutcomeHistogram(
    'hookwarden_delivery_duration_seconds',
    'Time from the request to its answer, including the durable write of accepted deliveries.',
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    this.registry,
  );

  private readonly droppedRecords = new Counter({
    name: 'hookwarden_log_records_dropped_total',
    help: 'Log records of rejected requests not written because the store refused writes (a stuck commit or a full queue).',
    registers: [this.registry],
  });
  private readonly ceilingCaptures = new Counter({
    name: 'hookwarden_storage_ceiling_purged_captures_total',
    help: 'Captures purged (oldest first) because storage was above storage.maxBytes.',
    registers: [this.registry],
  });
  private readonly ceilingBytes = new Counter({
    name: 'hookwarden_storage_ceiling_purged_bytes_total',
    help: 'Bytes of the captures purged because storage was above storage.maxBytes.',
    registers: [this.registry],
  });
  private readonly usedBytes = new Gauge({
    name: 'hookwarden_storage_used_bytes',
    help: 'Bytes the database uses (pages in use), as of the last maintenance pass.',
    registers: [this.registry],
  });

  constructor(nodeId: string) {
    this.registry.setDefaultLabels({ node: nodeId });
    collectDefaultMetrics({ register: this.registry });
  }

  observe(record: DeliveryRecord): void {
    this.tally(record.integrationId ?? '', record.outcome, record.reason ?? '').count++;
    this.latency.observe(record.outcome, record.latencyUs / 1e6);
  }

  private tally(integration: string, outcome: string, reason: string): Tally {
    let byOutcome = this.tallies.get(integration);
    if (!byOutcome) this.tallies.set(integration, (byOutcome = new Map()));
    let byReason = byOutcome.get(outcome);
    if (!byReason) byOutcome.set(outcome, (byReason = new Map()));
    let tally = byReason.get(reason);
    if (!tally) byReason.set(reason, (tally = { labels: { integration, outcome, reason }, count: 0 }));
    return tally;
  }

  private flushTallies(): void {
    for (const byOutcome of this.tallies.values()) {
      for (const byReason of byOutcome.values()) {
        for (const tally of byReason.values()) {
          if (tally.count === 0) continue;
          this.deliveries.inc(tally.labels, tally.count);
          tally.count = 0;
        }
      }
    }
  }

  recordDropped(): void {
    this.droppedRecords.inc();
  }

  ceilingPurged(captures: number, bytes: number): void {
    this.ceilingCaptures.inc(captures);
    this.ceilingBytes.inc(bytes);
  }

  storageUsed(bytes: number): void {
    this.usedBytes.set(bytes);
  }

  /** Adds the state gauges the alert rules (deploy/prometheus) read; each is computed when Prometheus scrapes. */
  watch(probes: NodeProbes): void {
    const registers = [this.registry];
    new Gauge({
      name: 'hookwarden_store_up',
      help: '1 while the node\'s store accepts writes, 0 after a write failed (the ingress answers 503).',
      registers,
      collect() {
        this.set(probes.storeUp() ? 1 : 0);
      },
    });
    const { redisUp } = probes;
    if (redisUp) {
      new Gauge({
        name: 'hookwarden_redis_up',
        help: '1 while the fleet\'s Redis answers, 0 while it does not (the ingress answers 503).',
        registers,
        collect() {
          this.set(redisUp() ? 1 : 0);
        },
      });
    }
    new Gauge({
      name: 'hookwarden_kill_switch_engaged',
      help: '1 while the integration\'s kill switch is engaged (in the given mode), else 0.',
      labelNames: ['integration', 'mode'] as const,
      registers,
      collect() {
        this.reset();
        for (const integration of probes.integrations) this.set({ integration: integration.id, mode: integration.kill?.mode ?? '' }, integration.kill ? 1 : 0);
      },
    });
    new Gauge({
      name: 'hookwarden_kill_switch_engaged_since_timestamp_seconds',
      help: 'When the engaged kill switch of the integration was engaged (Unix seconds). Absent while released.',
      labelNames: ['integration', 'mode'] as const,
      registers,
      collect() {
        this.reset();
        for (const { id, kill } of probes.integrations) if (kill) this.set({ integration: id, mode: kill.mode }, kill.since / 1000);
      },
    });
    new Gauge({
      name: 'hookwarden_secret_created_timestamp_seconds',
      help: 'Creation time (Unix seconds) of each secret the integration still accepts: neither retired nor expired.',
      labelNames: ['integration', 'secret'] as const,
      registers,
      collect() {
        this.reset();
        const now = probes.now();
        for (const integration of probes.integrations) {
          for (const secret of integration.secretSpecs) {
            const usable = secret.retiredAt === undefined && (secret.expiresAt === undefined || secret.expiresAt > now);
            if (usable) this.set({ integration: integration.id, secret: secret.id }, secret.createdAt / 1000);
          }
        }
      },
    });
    const { replayIndex } = probes;
    if (replayIndex) {
      new Gauge({
        name: 'hookwarden_replay_keys',
        help: 'Live replay keys of the single node: the most recent in memory (at most storage.dedupeIndexMaxKeys), older ones on disk.',
        labelNames: ['tier'] as const,
        registers,
        collect() {
          const { keys, spilledKeys } = replayIndex();
          this.set({ tier: 'memory' }, keys);
          this.set({ tier: 'disk' }, spilledKeys);
        },
      });
      new Gauge({
        name: 'hookwarden_replay_memory_bytes',
        help: 'Bytes the replay keys in memory take, with the filter of those on disk.',
        registers,
        collect() {
          this.set(replayIndex().bytes);
        },
      });
    }
    new Gauge({
      name: 'hookwarden_downstream_backlog',
      help: 'Accepted deliveries in the outbox not yet handed to the downstream (held ones excluded).',
      registers,
      collect() {
        this.set(probes.backlog().count);
      },
    });
    new Gauge({
      name: 'hookwarden_downstream_oldest_age_seconds',
      help: 'Age of the oldest accepted delivery waiting for the downstream; 0 when none waits.',
      registers,
      collect() {
        const { oldestAt } = probes.backlog();
        this.set(oldestAt === null ? 0 : Math.max(0, (probes.now() - oldestAt) / 1000));
      },
    });
  }
}
