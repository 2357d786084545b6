import type { FleetDelivery } from '../../../../shared/contract/console.js';
import type { RaisedAlert } from './alert-log.js';

export interface AlertThresholds {
  /** Signature failures per minute per integration. */
  readonly signatureFailuresPerMinute: number;
  /** Rejections per minute per integration from source addresses never seen delivering successfully. */
  readonly unknownSourcesPerMinute: number;
  /** An alert of one kind for one subject is not repeated within this time. */
  readonly quietMs: number;
}

export const DEFAULT_THRESHOLDS: AlertThresholds = { signatureFailuresPerMinute: 20, unknownSourcesPerMinute: 20, quietMs: 5 * 60_000 };

const MINUTE = 60_000;
const MAX_KNOWN_SOURCES = 10_000;

/**
 * Watches the live deliveries for two things worth a desktop notification: a burst of signature
 * failures, and rejections from addresses never seen before. A node's clock is not judged from
 * deliveries: their skew measures the sender's clock and queue too (a sender flushing a backlog
 * looks like a node 5 s off). The health monitor compares the node's own clock instead.
 */
export class AlertMonitor {
  private readonly windows = new Map<string, { at: number; value: number }[]>();
  private readonly knownSources = new Map<string, Set<string>>();
  private readonly lastAlert = new Map<string, number>();

  constructor(
    private readonly raise: (alerts: RaisedAlert[]) => void,
    private readonly thresholds: AlertThresholds = DEFAULT_THRESHOLDS,
    private readonly now: () => number = Date.now,
  ) {}

  observe(deliveries: readonly FleetDelivery[]): void {
    const alerts: RaisedAlert[] = [];
    const now = this.now();
    for (const delivery of deliveries) {
      const integration = delivery.integrationId;
      if (integration === null) continue;
      const subject = `${delivery.fleetId}/${integration}`;
      const sources = this.sourcesOf(subject);
      if (delivery.outcome === 'accepted' || delivery.outcome === 'held' || delivery.outcome === 'duplicate') {
        if (sources.size < MAX_KNOWN_SOURCES) sources.add(delivery.sourceIp);
        continue;
      }
      if (delivery.reason?.startsWith('signature_')) {
        const failures = this.record(`sig:${subject}`, now, 1);
        if (failures.length >= this.thresholds.signatureFailuresPerMinute) {
          this.maybe(alerts, 'signature_failures', subject, now, {
            fleetId: delivery.fleetId,
            integrationId: integration,
            message: `${failures.length} signature failures in the last minute on ${integration}${delivery.diagnosis ? ` (diagnosis: ${delivery.diagnosis.replaceAll('_', ' ')})` : ''}.`,
          });
        }
      }
      if (delivery.outcome === 'rejected' && !sources.has(delivery.sourceIp)) {
        const unknown = this.record(`src:${subject}`, now, 1);
        if (unknown.length >= this.thresholds.unknownSourcesPerMinute) {
          this.maybe(alerts, 'unknown_sources', subject, now, {
            fleetId: delivery.fleetId,
            integrationId: integration,
            message: `${unknown.length} rejections in the last minute on ${integration} from addresses that never delivered successfully (latest: ${delivery.sourceIp}).`,
          });
        }
      }
    }
    if (alerts.length > 0) this.raise(alerts);
  }

  private sourcesOf(subject: string): Set<string> {
    let sources = this.knownSources.get(subject);
    if (!sources) this.knownSources.set(subject, (sources = new Set()));
    return sources;
  }

  /** Appends `value` at `now` to a one-minute window and returns the values still in it. */
  private record(key: string, now: number, value: number): number[] {
    const window = (this.windows.get(key) ?? []).filter((sample) => sample.at > now - MINUTE);
    window.push({ at: now, value });
    this.windows.set(key, window);
    return window.map((sample) => sample.value);
  }

  private maybe(alerts: RaisedAlert[], kind: RaisedAlert['kind'], subject: string, now: number, fields: Omit<RaisedAlert, 'kind' | 'at'>): void {
    const key = `${kind}:${subject}`;
    if (now - (this.lastAlert.get(key) ?? -Infinity) < this.thresholds.quietMs) return;
    this.lastAlert.set(key, now);
    alerts.push({ kind, at: new Date(now).toISOString(), ...fields });
  }
}
