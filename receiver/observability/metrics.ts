import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
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

  constructor(nodeId: string) {
    this.registry.setDefaultLabels({ node: nodeId });
    collectDefaultMetrics({ register: this.registry });
  }

  observe(record: DeliveryRecord): void {
    this.deliveries.inc({ integration: record.integrationId ?? '', outcome: record.outcome, reason: record.reason ?? '' });
    this.latency.observe({ outcome: record.outcome }, record.latencyUs / 1e6);
  }
}
