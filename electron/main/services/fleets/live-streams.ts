import type { EventPayload, FleetDelivery } from '../../../../shared/contract/console.js';
import type { EventSink } from '../command-handlers.js';
import type { AdminClient } from './admin-client.js';
import type { BackoffPolicy } from './backoff.js';
import { DeliveryBatcher, type BatcherOptions } from './delivery-batcher.js';
import { NodeStream, type StreamFilter, type StreamState } from './node-stream.js';

/** The nodes of one fleet to follow; a FleetConnection is one. */
export interface StreamSource {
  readonly id: string;
  readonly nodes: readonly { readonly url: string; readonly client: Pick<AdminClient, 'stream' | 'url'> }[];
}

export interface LiveStreamsOptions {
  readonly sink: EventSink;
  readonly batcher?: BatcherOptions;
  readonly reconnect?: BackoffPolicy;
  /** A stream open this long resets its reconnect backoff. */
  readonly stableMs?: number;
  readonly filter?: StreamFilter;
  readonly random?: () => number;
}

type NodeState = EventPayload<'streams'>['nodes'][number];

interface Watched {
  readonly streams: NodeStream[];
}

/**
 * The Live screen's feed: one event stream per node of every watched fleet, merged, handed to the
 * sink as `deliveries` in batches (at most ten a second, from a bounded buffer, drops counted),
 * and every node's connection state as `streams` whenever one changes.
 */
export class LiveStreams {
  private readonly batcher: DeliveryBatcher<FleetDelivery>;
  private readonly fleets = new Map<string, Watched>();
  /** Keyed by fleet id and URL; insertion order is the order the UI lists them in. */
  private readonly states = new Map<string, NodeState>();
  private stopped = false;

  constructor(private readonly options: LiveStreamsOptions) {
    this.batcher = new DeliveryBatcher((deliveries, dropped) => options.sink('deliveries', { deliveries, dropped }), options.batcher);
  }

  /** Every followed node and the state of its stream. */
  nodeStates(): NodeState[] {
    return [...this.states.values()];
  }

  /** Deliveries dropped so far because the consumer did not keep up. */
  get dropped(): number {
    return this.batcher.droppedTotal;
  }

  /** Adds a delivery that did not come over a node stream (the console's own local receiver) to the same feed. */
  push(delivery: FleetDelivery): void {
    if (!this.stopped) this.batcher.push(delivery);
  }

  /** Follows every node of `source`; a fleet already followed is restarted with its new node list. */
  async watch(source: StreamSource): Promise<void> {
    if (this.stopped) return;
    await this.unwatch(source.id, false);
    const streams = source.nodes.map(
      ({ url, client }) =>
        new NodeStream({
          client,
          onDelivery: (delivery) => this.batcher.push({ ...delivery, fleetId: source.id, nodeUrl: url }),
          onState: (state, error) => this.setState(source.id, url, state, error),
          ...(this.options.filter ? { filter: this.options.filter } : {}),
          ...(this.options.reconnect ? { backoff: this.options.reconnect } : {}),
          ...(this.options.stableMs !== undefined ? { stableMs: this.options.stableMs } : {}),
          ...(this.options.random ? { random: this.options.random } : {}),
        }),
    );
    this.fleets.set(source.id, { streams });
    for (const stream of streams) stream.start();
  }

  /** Stops following a fleet (removed, or edited: `watch` again with the new nodes). */
  async unwatch(fleetId: string, announce = true): Promise<void> {
    const watched = this.fleets.get(fleetId);
    if (!watched) return;
    this.fleets.delete(fleetId);
    await Promise.all(watched.streams.map((stream) => stream.stop()));
    for (const stream of watched.streams) this.states.delete(key(fleetId, stream.url));
    if (announce) this.announce();
  }

  /** Closes every stream and the batcher; nothing is emitted afterwards. */
  async stop(): Promise<void> {
    this.stopped = true;
    const all = [...this.fleets.values()].flatMap((watched) => watched.streams);
    this.fleets.clear();
    await Promise.all(all.map((stream) => stream.stop()));
    this.batcher.stop();
    this.states.clear();
  }

  private setState(fleetId: string, url: string, state: StreamState, error: string | undefined): void {
    if (this.stopped || !this.fleets.has(fleetId)) return;
    this.states.set(key(fleetId, url), { fleetId, url, state, ...(error !== undefined ? { error } : {}) });
    this.announce();
  }

  /**
   * Sends every node's state as the `streams` event, and returns it. A window asks for this when it
   * opens: receiving the event tells it that its event channel is open, so history it fetches from
   * then on leaves no gap before the first live batch.
   */
  announce(): NodeState[] {
    const nodes = this.nodeStates();
    try {
      this.options.sink('streams', { nodes });
    } catch {
      // A transport that cannot carry the event now will get the next one.
    }
    return nodes;
  }
}

const key = (fleetId: string, url: string): string => `${fleetId}\n${url}`;
