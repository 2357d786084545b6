import type { NodeHealth } from '../../../../shared/contract/console.js';
import { CLOCK_LIMIT_MS, clockWords, fleetHealth, nodeHealth, type NodeProbe } from '../console/fleet-health.js';
import type { RaisedAlert } from './alert-log.js';

/** A fleet as the monitor needs it: a name for the messages and a timed `GET /node` of every node. */
export interface WatchedFleet {
  readonly id: string;
  readonly name: string;
  probe(now: () => number): Promise<NodeProbe[]>;
}

export interface HealthMonitorOptions {
  /** The fleets to watch now (the set changes as fleets are added and removed). */
  readonly fleets: () => Promise<readonly WatchedFleet[]>;
  readonly raise: (alerts: RaisedAlert[]) => void;
  readonly now?: () => number;
  /** Pause between two rounds; "within seconds" of an outage is one round plus a call's timeout. */
  readonly intervalMs?: number;
}

interface Seen {
  fleetRefusing: boolean;
  nodes: Map<string, { state: NodeHealth['state']; clockOff: boolean }>;
}

export const HEALTH_INTERVAL_MS = 5_000;

/**
 * Polls every fleet's `GET /node` and raises an alert when something changes for the worse: a
 * fleet that refuses traffic (every node that answers is not ready), a node that refuses while
 * others take it, a node that stops answering, a node whose clock is off the console's; and once
 * more when it is over. One alert per change, not per round: an outage is not repeated every 5 s.
 */
export class HealthMonitor {
  private readonly seen = new Map<string, Seen>();
  private readonly now: () => number;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: HealthMonitorOptions) {
    this.now = options.now ?? Date.now;
    this.intervalMs = options.intervalMs ?? HEALTH_INTERVAL_MS;
  }

  start(): void {
    this.stopped = false;
    const loop = (): void => {
      this.round = this.check().finally(() => {
        if (!this.stopped) this.timer = setTimeout(loop, this.intervalMs);
      });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.round;
  }

  /** One round over every fleet; what changed since the last round is raised. */
  async check(): Promise<void> {
    const fleets = await this.options.fleets();
    for (const id of [...this.seen.keys()]) if (!fleets.some((fleet) => fleet.id === id)) this.seen.delete(id);
    const alerts = (await Promise.all(fleets.map((fleet) => this.checkFleet(fleet)))).flat();
    if (alerts.length > 0) this.options.raise(alerts);
  }

  private async checkFleet(fleet: WatchedFleet): Promise<RaisedAlert[]> {
    const probes = await fleet.probe(this.now);
    const at = new Date(this.now()).toISOString();
    const healths = probes.map((probe) => ({ url: probe.url, health: nodeHealth(probe) }));
    const rollup = fleetHealth(healths.map(({ health }) => health));
    const seen = this.seen.get(fleet.id) ?? { fleetRefusing: false, nodes: new Map() };
    this.seen.set(fleet.id, seen);
    const alerts: RaisedAlert[] = [];
    const alert = (kind: RaisedAlert['kind'], message: string, nodeUrl?: string): void => {
      alerts.push({ kind, fleetId: fleet.id, ...(nodeUrl ? { nodeUrl } : {}), message, at });
    };

    const fleetRefusing = rollup.state === 'refusing';
    const wasRefusing = seen.fleetRefusing;
    if (fleetRefusing && !wasRefusing) alert('fleet_refusing', `${fleet.name} refuses traffic (${rollup.summary}): senders get 503.`);
    if (!fleetRefusing && wasRefusing) alert('recovered', `${fleet.name} takes traffic again: ${rollup.summary}.`);
    seen.fleetRefusing = fleetRefusing;

    for (const { url, health } of healths) {
      const before = seen.nodes.get(url) ?? { state: 'up', clockOff: false };
      const problems = health.problems.join(', ');
      // When the whole fleet refuses, the fleet's alert says it; one per node would only repeat it.
      if (health.state === 'refusing' && before.state !== 'refusing' && !fleetRefusing) alert('node_refusing', `${url} of ${fleet.name} refuses traffic: ${problems}.`, url);
      if (health.state === 'down' && before.state !== 'down') alert('node_down', `${url} of ${fleet.name} does not answer: ${problems}.`, url);
      if (health.state === 'up' && (before.state === 'down' || (before.state === 'refusing' && !wasRefusing))) {
        alert('recovered', `${url} of ${fleet.name} ${before.state === 'down' ? 'answers' : 'takes traffic'} again.`, url);
      }
      const offset = health.clockOffsetMs;
      const clockOff = offset !== null && Math.abs(offset) - (health.clockUncertaintyMs ?? 0) > CLOCK_LIMIT_MS;
      if (clockOff && !before.clockOff) {
        alert('clock_skew', `${url} of ${fleet.name}: ${clockWords(offset)}; signed deliveries will start failing the timestamp check.`, url);
      }
      // A node that does not answer says nothing about its clock: the last verdict stands.
      seen.nodes.set(url, { state: health.state, clockOff: health.state === 'down' ? before.clockOff : clockOff });
    }
    return alerts;
  }
}
