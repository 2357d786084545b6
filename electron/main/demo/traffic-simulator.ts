import { randomInt } from 'node:crypto';
import type { DemoIntegration } from './demo-integrations.js';
import { INCIDENTS, type Incident, type IncidentContext } from './incidents.js';
import { newSigningSecret } from '../services/rotation/new-secret.js';
import { send, signedRequest, type SendOptions, type WireRequest } from './sender.js';

export interface SimulatorOptions {
  readonly ingressUrls: readonly string[];
  readonly integrations: readonly DemoIntegration[];
  /** Time between two deliveries of the steady traffic. */
  readonly steadyIntervalMs: number;
  /** Time between two incidents after the opening round, in which each incident runs once. */
  readonly incidentEveryMs: number;
  /** Time between two incidents of the opening round, so that every screen has something within a minute. */
  readonly openingSpacingMs: number;
  readonly report: (line: string) => void;
}

/** One delivery in this many of the steady traffic goes wrong the ordinary way (see `trickle`). */
const BAD_ONE_IN = 12;
/** A wrong secret, another integration's secret, no signature, a stranger's address. */
const MISTAKES = ['wrong-secret', 'other-integration-secret', 'unsigned', 'stranger'] as const;
type Mistake = (typeof MISTAKES)[number];

/**
 * Traffic for the demo fleet: a steady stream of the providers' deliveries spread over the nodes as
 * a load balancer would, a trickle of everyday mistakes, and the incidents in turn. Stopping it
 * waits for the requests in flight, so nothing is left talking to a node that is shutting down.
 */
export class TrafficSimulator {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly sleepers = new Set<() => void>();
  private readonly accepted = new Map<string, WireRequest>();
  private stopped = false;
  private sent = 0;
  private mistakes = 0;

  constructor(private readonly options: SimulatorOptions) {}

  start(): void {
    this.every(this.options.steadyIntervalMs, () => this.steady());
    this.scheduleIncident(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const wake of this.sleepers) wake();
    await Promise.allSettled([...this.inFlight]);
  }

  private async steady(): Promise<void> {
    this.sent += 1;
    const mistake = this.sent % BAD_ONE_IN === 0 ? MISTAKES[this.mistakes++ % MISTAKES.length] : undefined;
    // A stranger's address is refused only where there is an allowlist: send it to such an integration.
    const integration = (mistake === 'stranger' ? this.options.integrations.find((candidate) => candidate.allowIps) : undefined) ?? this.pickWeighted();
    const request = await signedRequest(this.nextNode(), integration, integration.event(), mistake ? this.trickle(integration, mistake) : {});
    if ((await this.track(send(request))) === 202) this.accepted.set(integration.id, request);
  }

  /** The everyday mistakes, each in turn so that every one shows within a few rounds. */
  private trickle(integration: DemoIntegration, mistake: Mistake): SendOptions {
    const others = this.options.integrations.filter((other) => other.id !== integration.id && other.scheme === integration.scheme);
    switch (mistake) {
      case 'wrong-secret':
        return { secret: newSigningSecret(integration.scheme) };
      case 'other-integration-secret':
        return others[0] ? { secret: others[0].secret } : { secret: newSigningSecret(integration.scheme) };
      case 'unsigned':
        return { unsigned: true };
      case 'stranger':
        return { from: `192.0.2.${randomInt(1, 255)}` };
    }
  }

  /** The opening round runs every incident once, `openingSpacingMs` apart; then one every `incidentEveryMs`, in turn. */
  private scheduleIncident(turn: number): void {
    const incident = INCIDENTS[turn % INCIDENTS.length] as Incident;
    this.after(turn < INCIDENTS.length ? this.options.openingSpacingMs : this.options.incidentEveryMs, () => {
      this.options.report(`incident: ${incident.name} — ${incident.symptom}`);
      void this.track(incident.run(this.incidentContext()).catch((error: unknown) => this.options.report(`incident ${incident.name} failed: ${String(error)}`)));
      this.scheduleIncident(turn + 1);
    });
  }

  private incidentContext(): IncidentContext {
    return {
      ingressUrls: this.options.ingressUrls,
      integration: (id) => {
        const found = this.options.integrations.find((integration) => integration.id === id);
        if (!found) throw new Error(`the demo has no integration "${id}"`);
        return found;
      },
      lastAccepted: (id) => this.accepted.get(id),
      burst: async (count, spacingMs, make) => {
        for (let index = 0; index < count && !this.stopped; index++) {
          await this.track(make(index).then(send));
          await this.sleep(spacingMs);
        }
      },
    };
  }

  private pickWeighted(): DemoIntegration {
    const total = this.options.integrations.reduce((sum, integration) => sum + integration.weight, 0);
    let draw = randomInt(total);
    for (const integration of this.options.integrations) {
      draw -= integration.weight;
      if (draw < 0) return integration;
    }
    return this.options.integrations[0] as DemoIntegration;
  }

  private nextNode(): string {
    return this.options.ingressUrls[this.sent % this.options.ingressUrls.length] as string;
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work)).catch(() => undefined);
    return work;
  }

  private every(intervalMs: number, work: () => Promise<void>): void {
    this.after(intervalMs, () => {
      void this.track(work().catch((error: unknown) => this.options.report(`traffic: ${String(error)}`)));
      this.every(intervalMs, work);
    });
  }

  private after(delayMs: number, work: () => void): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopped) work();
    }, delayMs);
    this.timers.add(timer);
  }

  /** A pause that stopping the simulator cuts short, so that `stop()` never waits out a burst. */
  private sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        this.sleepers.delete(wake);
        resolve();
      };
      this.sleepers.add(wake);
      this.after(delayMs, wake);
      if (this.stopped) wake();
    });
  }
}
