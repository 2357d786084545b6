import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DeliveryRecord } from '../store/delivery-record.js';

/** Prometheus metrics of one receiver node, in their own registry so several engines can share a process. */
export class ReceiverMetrics {
  readonly registry = new Registry();
  private readonly deliveries = new Counter({
    name: 'hookwarden_deliveries_total',
    help: 'Requests to the ingress by integration, outcome and reason.',
    labelNames: ['integration', 'outcome', 'reason'] as const,
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'hookwarden_delivery_duration_seconds',
    help: 'Time from the request to its answer, including the durable write of accepted deliveries.',
    labelNames: ['outcome'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

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
    this.deliveries.inc({ integration: record.integrationId ?? '', outcome: record.outcome, reason: record.reason ?? '' });
    this.latency.observe({ outcome: record.outcome }, record.latencyUs / 1e6);
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
}
