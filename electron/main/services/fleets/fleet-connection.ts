import type { AuditLog, DeliveryDetail, IntegrationView, NodeInfo, RawDelivery, StatsView } from '../../../../shared/contract/admin-api.js';
import type { TokenScope } from '../../../../shared/contract/admin-api.js';
import type { FleetDelivery, IntegrationEntry, NodeResult, NodeTest, TestFailure } from '../../../../shared/contract/console.js';
import { nodeHealth, type NodeProbe } from '../console/fleet-health.js';
import { ConsoleError } from '../console-error.js';
import { AdminClient, type AdminClientOptions, type DeliveriesParams } from './admin-client.js';
import { AdminApiError, type FailureKind } from './admin-error.js';
import { sleep } from './backoff.js';
import { decodeCursor, encodeCursor, hasMore, type CursorState } from './fleet-cursor.js';
import { alreadyDone, describeOperation, sendOperation, shows, type FleetOperation } from './fleet-operations.js';
import { mergeInventories, type NodeInventory } from './integration-merge.js';
import { mergePages, type NodePage } from './delivery-merge.js';

export type { FleetOperation } from './fleet-operations.js';

export type ClientTuning = Omit<AdminClientOptions, 'url' | 'token' | 'ca' | 'fingerprint'>;

export interface FleetConnectionOptions {
  /** The fleet's id, as deliveries and integrations are tagged with it. */
  readonly id: string;
  readonly name?: string | undefined;
  readonly nodes: readonly { readonly url: string }[];
  readonly token?: string | undefined;
  /** PEM of the CA that signs every node's certificate. */
  readonly ca?: string | undefined;
  /** SHA-256 fingerprint of the nodes' certificate (one certificate shared by the fleet's nodes). */
  readonly fingerprint?: string | undefined;
  /** Timeouts and retries of every node's client. */
  readonly client?: ClientTuning;
  /** How long nodes sharing state get to show a change sent through another node. */
  readonly confirmTimeoutMs?: number;
  readonly confirmIntervalMs?: number;
}

export interface FleetNode {
  readonly url: string;
  readonly client: AdminClient;
}

/** The admin API's delivery filters; `cursor` is one this fleet returned (it encodes every node's own). */
export type DeliveriesQuery = DeliveriesParams & {
  /** One node only (its admin URL); the others keep their place in the cursor. */
  readonly nodeUrl?: string | undefined;
};

export interface FleetDeliveryPage {
  readonly deliveries: FleetDelivery[];
  readonly nextCursor: string | null;
  /** Nodes that did not answer: their entries are missing from this page and come with a later one. */
  readonly errors: { url: string; error: string }[];
}

export type PerNode<K extends string, T> = { url: string } & ({ [P in K]: T } | { error: string });

/**
 * One fleet: its nodes' admin clients, and the operations of the console that span them. Results
 * come per node; a node that failed is in the result with its error, never left out.
 */
export class FleetConnection {
  readonly id: string;
  readonly name: string;
  readonly nodes: readonly FleetNode[];
  private readonly confirmTimeoutMs: number;
  private readonly confirmIntervalMs: number;

  constructor(options: FleetConnectionOptions) {
    this.id = options.id;
    this.name = options.name ?? options.id;
    if (options.nodes.length === 0) throw new ConsoleError('invalid_fleet', 'a fleet needs at least one node URL');
    this.nodes = options.nodes.map(({ url }) => ({
      url,
      client: new AdminClient({ ...options.client, url, token: options.token, ca: options.ca, fingerprint: options.fingerprint }),
    }));
    this.confirmTimeoutMs = options.confirmTimeoutMs ?? 3_000;
    this.confirmIntervalMs = options.confirmIntervalMs ?? 150;
  }

  /**
   * Per node: reachable, TLS, token, scope (from `GET /whoami`, absent from an older node that
   * lacks it), version, and health (readiness and dependencies). A failure is named for what it
   * is: unreachable, TLS, token refused, scope, throttled, or not an admin API at all.
   * `tls` is `failed` when the certificate was refused, and also when no connection could be made
   * (it could not be verified then; `reachable` tells the two apart).
   */
  async test(now: () => number = Date.now): Promise<NodeTest[]> {
    const tests = await Promise.all(
      this.nodes.map(async ({ url, client }): Promise<NodeTest> => {
        const plain = !client.secure;
        const sentAt = now();
        try {
          const info = await client.node({ retries: 1 });
          const health = nodeHealth({ url, sentAt, receivedAt: now(), info });
          const who = await client.whoami({ retries: 1 }).catch(() => undefined);
          return {
            url,
            reachable: true,
            tls: plain ? 'plain-http' : 'ok',
            tokenOk: true,
            ...(who ? { scope: who.scope } : {}),
            version: info.version,
            nodeId: info.nodeId,
            health,
            ...(health.problems.length > 0 ? { error: health.problems.join(', ') } : {}),
          };
        } catch (error) {
          const failure = asAdminError(error);
          const { reachable, kind, requestSent } = failure.details;
          const tlsPassed = reachable && requestSent && kind !== 'tls';
          return {
            url,
            reachable,
            tls: plain ? 'plain-http' : tlsPassed ? 'ok' : 'failed',
            // A 403 means the token was recognised; GET /node needs only `read`, so it does not happen with a valid token.
            tokenOk: kind === 'scope_insufficient',
            error: failure.message,
            failure: testFailure(kind),
          };
        }
      }),
    );
    return sharedNodeIds(tests);
  }

  /** `GET /node` of every node, timed by `now` so that each node's clock can be compared with the console's. */
  probe(now: () => number = Date.now): Promise<NodeProbe[]> {
    return Promise.all(
      this.nodes.map(async ({ url, client }): Promise<NodeProbe> => {
        const sentAt = now();
        try {
          const info = await client.node({ retries: 0 });
          return { url, sentAt, receivedAt: now(), info };
        } catch (error) {
          const failure = asAdminError(error);
          return { url, sentAt, receivedAt: now(), error: failure.message, failure: testFailure(failure.kind) };
        }
      }),
    );
  }

  /** The token's scope, as the first node that says it tells; null when none does (older nodes, or none answers). */
  async scope(): Promise<TokenScope | null> {
    for (const { client } of this.nodes) {
      const who = await client.whoami({ retries: 0 }).catch(() => undefined);
      if (who) return who.scope;
    }
    return null;
  }

  /** `GET /node` of every node. */
  nodeInfo(): Promise<PerNode<'info', NodeInfo>[]> {
    return this.perNode('info', (client) => client.node());
  }

  /**
   * Applies a kill switch, release or secret change to the fleet and answers per node. Nodes that
   * report the same `sharedState` in `GET /node` share one Redis: the change is sent once, to the
   * first of them that accepts a connection, and the others are polled (`GET /integrations`, up to
   * `confirmTimeoutMs`) until they show it; a node's result is ok only once it shows the new state.
   * Standalone nodes each get the change. A node that does not answer `GET /node` is not sent
   * anything (whether it shares state cannot be known) and is reported as failed. A write is sent
   * at most once per node: when its answer is lost, the node's state is looked at instead.
   * `onlyUrls` retries on some nodes only (the ones that failed); the others are left alone.
   */
  async fanOut(operation: FleetOperation, onlyUrls?: readonly string[]): Promise<NodeResult[]> {
    const unknown = onlyUrls?.filter((url) => !this.nodes.some((node) => node.url === url)) ?? [];
    if (unknown.length > 0) throw new ConsoleError('unknown_node', `${unknown.join(', ')} is not a node of fleet "${this.name}"`);
    const targeted = (url: string): boolean => onlyUrls === undefined || onlyUrls.includes(url);
    const infos = await Promise.all(
      this.nodes.map(({ url, client }) =>
        targeted(url)
          ? client.node({ retries: 1 }).then((info) => ({ info }), (error: unknown) => ({ error: asAdminError(error) }))
          : Promise.resolve({ skipped: true as const }),
      ),
    );
    const results = new Map<number, NodeResult>();
    const groups = new Map<string, number[]>();
    const standalone: number[] = [];
    infos.forEach((answer, index) => {
      const url = this.node(index).url;
      if ('skipped' in answer) return;
      if ('error' in answer) {
        results.set(index, { url, ok: false, error: `not sent: ${answer.error.message}`, code: answer.error.code });
      } else if (answer.info.sharedState) {
        groups.set(answer.info.sharedState, [...(groups.get(answer.info.sharedState) ?? []), index]);
      } else {
        standalone.push(index);
      }
    });
    await Promise.all([
      ...standalone.map(async (index) => results.set(index, await this.applyTo(index, operation))),
      ...[...groups.values()].map(async (members) => {
        for (const [index, result] of await this.applyToShared(members, operation)) results.set(index, result);
      }),
    ]);
    return this.nodes.flatMap(({ url }, index) => (targeted(url) ? [results.get(index) ?? { url, ok: false, error: 'not sent' }] : []));
  }

  /** Every integration of every node, merged, with per-node status and secrets to show drift. */
  async integrations(): Promise<IntegrationEntry[]> {
    const inventories = await Promise.all(
      this.nodes.map(({ url, client }): Promise<NodeInventory> =>
        client.integrations().then(
          (integrations) => ({ url, integrations }),
          (error: unknown) => ({ url, error: asAdminError(error).message }),
        ),
      ),
    );
    if (inventories.every((inventory) => 'error' in inventory)) throw this.nobodyAnswered(inventories);
    return mergeInventories(this.id, inventories);
  }

  /**
   * One page of the fleet's delivery log, newest first across nodes. The cursor is base64url JSON
   * of every node's own cursor. A node that fails keeps its place: its entries come on a later
   * page (listed in `errors` meanwhile); only when every node fails does this throw.
   */
  async deliveries(query: DeliveriesQuery = {}): Promise<FleetDeliveryPage> {
    const limit = query.limit ?? 100;
    const state: CursorState = query.cursor !== undefined ? decodeCursor(query.cursor) : Object.fromEntries(this.nodes.map(({ url }) => [url, '']));
    const active = this.nodes.filter(({ url }) => typeof state[url] === 'string' && (query.nodeUrl === undefined || url === query.nodeUrl));
    if (query.nodeUrl !== undefined && !this.nodes.some(({ url }) => url === query.nodeUrl)) {
      throw new ConsoleError('node_not_found', `the fleet has no node ${query.nodeUrl}`);
    }
    const { integration, outcome, reason, since, until, deliveryId, requestId, sourceIp } = query;
    const filters = { integration, outcome, reason, since, until, deliveryId, requestId, sourceIp, limit };
    const answers = await Promise.all(
      active.map(({ url, client }) =>
        client.deliveries({ ...filters, cursor: state[url] || undefined }).then(
          (page): NodePage => ({ url, page }),
          (error: unknown) => ({ url, error: asAdminError(error).message }),
        ),
      ),
    );
    const pages = answers.filter((answer): answer is NodePage => 'page' in answer);
    const errors = answers.filter((answer): answer is { url: string; error: string } => 'error' in answer);
    if (active.length > 0 && pages.length === 0) throw this.nobodyAnswered(errors);
    const merged = mergePages(pages, limit);
    // Nodes left out by the node filter have nothing more to give to this listing.
    const next: CursorState = { ...state, ...Object.fromEntries(this.nodes.filter((node) => !active.includes(node)).map(({ url }) => [url, null])), ...merged.next };
    return {
      deliveries: merged.deliveries.map(({ url, delivery }) => ({ ...delivery, fleetId: this.id, nodeUrl: url })),
      nextCursor: hasMore(next) ? encodeCursor(next) : null,
      errors,
    };
  }

  /** A delivery's details from whichever node logged it (or from `nodeUrl` when the caller knows). */
  async delivery(requestId: string, nodeUrl?: string): Promise<DeliveryDetail & { fleetId: string; nodeUrl: string }> {
    const { url, value } = await this.findOnNodes(requestId, nodeUrl, 'delivery', (client) => client.delivery(requestId));
    return { ...value, fleetId: this.id, nodeUrl: url };
  }

  /** The captured raw request of a delivery, for replay, from whichever node holds it. */
  async raw(requestId: string, nodeUrl?: string): Promise<{ nodeUrl: string; raw: RawDelivery }> {
    const { url, value } = await this.findOnNodes(requestId, nodeUrl, 'captured request', (client) => client.raw(requestId));
    return { nodeUrl: url, raw: value };
  }

  stats(params: { since?: string | undefined; step?: number | undefined } = {}): Promise<PerNode<'stats', StatsView>[]> {
    return this.perNode('stats', (client) => client.stats(params));
  }

  audit(): Promise<PerNode<'audit', AuditLog>[]> {
    return this.perNode('audit', (client) => client.audit());
  }

  private node(index: number): FleetNode {
    return this.nodes[index] as FleetNode;
  }

  private async perNode<K extends string, T>(key: K, call: (client: AdminClient) => Promise<T>): Promise<PerNode<K, T>[]> {
    return Promise.all(
      this.nodes.map(({ url, client }) =>
        call(client).then(
          (value) => ({ url, [key]: value }) as PerNode<K, T>,
          (error: unknown) => ({ url, error: asAdminError(error).message }),
        ),
      ),
    );
  }

  /** A standalone node: send, and judge by the state it answers with. */
  private async applyTo(index: number, operation: FleetOperation): Promise<NodeResult> {
    const { url, client } = this.node(index);
    try {
      const view = await sendOperation(client, operation);
      return shows(operation, view) ? { url, ok: true } : { url, ok: false, error: `the node answered but does not show ${describeOperation(operation)}` };
    } catch (error) {
      if (alreadyDone(operation, error)) return { url, ok: true };
      const failure = asAdminError(error);
      if (failure.details.requestSent && failure.details.status === undefined) {
        // Sent, answer lost: the node may have applied it. Look rather than send again.
        return this.confirm(index, operation, failure.message);
      }
      return { url, ok: false, error: failure.message, code: failure.code };
    }
  }

  /** Nodes sharing one state: one send, then every other member is polled until it shows the change. */
  private async applyToShared(members: readonly number[], operation: FleetOperation): Promise<Map<number, NodeResult>> {
    const results = new Map<number, NodeResult>();
    let sentVia: number | undefined;
    let refusal: { url: string; error: AdminApiError } | undefined;
    for (const index of members) {
      const { url, client } = this.node(index);
      try {
        const view = await sendOperation(client, operation);
        results.set(index, shows(operation, view) ? { url, ok: true } : { url, ok: false, error: `the node answered but does not show ${describeOperation(operation)}` });
        sentVia = index;
        break;
      } catch (error) {
        if (alreadyDone(operation, error)) {
          results.set(index, { url, ok: true });
          sentVia = index;
          break;
        }
        const failure = asAdminError(error);
        if (!failure.details.requestSent) {
          // Provably not sent (no connection, certificate refused): the next member may take it.
          results.set(index, { url, ok: false, error: failure.message, code: failure.code });
          continue;
        }
        if (failure.details.status !== undefined) {
          // A definite refusal (4xx/5xx): the shared state is unchanged, and the others would refuse alike.
          refusal = { url, error: failure };
          results.set(index, { url, ok: false, error: failure.message, code: failure.code });
        } else {
          // Sent, answer lost: it may have been applied. Everyone, this node included, is looked at.
          sentVia = index;
        }
        break;
      }
    }
    const sentUrl = sentVia === undefined ? undefined : this.node(sentVia).url;
    await Promise.all(
      members
        .filter((index) => !results.has(index))
        .map(async (index) => {
          const { url } = this.node(index);
          if (sentUrl === undefined) {
            const why = refusal ? `${refusal.url} refused it (${refusal.error.message})` : 'no node sharing its state could be reached';
            results.set(index, { url, ok: false, error: `not applied: ${why}`, ...(refusal ? { code: refusal.error.code } : {}) });
            return;
          }
          const lastWord = index === sentVia ? 'the answer to the change was lost' : `sent through ${sentUrl}, which shares its state`;
          results.set(index, await this.confirm(index, operation, lastWord));
        }),
    );
    return results;
  }

  /** Polls a node's inventory until it shows the operation done; a result when it does or when the wait is over. */
  private async confirm(index: number, operation: FleetOperation, context: string): Promise<NodeResult> {
    const { url, client } = this.node(index);
    const deadline = Date.now() + this.confirmTimeoutMs;
    let lastProblem = `it does not show ${describeOperation(operation)}`;
    for (;;) {
      try {
        const view: IntegrationView | undefined = (await client.integrations({ retries: 0 })).find((candidate) => candidate.id === operation.integrationId);
        if (view && shows(operation, view)) return { url, ok: true };
        lastProblem = view ? `it does not show ${describeOperation(operation)}` : `it has no integration "${operation.integrationId}"`;
      } catch (error) {
        lastProblem = asAdminError(error).message;
      }
      if (Date.now() + this.confirmIntervalMs > deadline) {
        return { url, ok: false, error: `not confirmed within ${Math.round(this.confirmTimeoutMs / 1000)} s (${context}): ${lastProblem}` };
      }
      await sleep(this.confirmIntervalMs);
    }
  }

  private async findOnNodes<T>(requestId: string, nodeUrl: string | undefined, what: string, call: (client: AdminClient) => Promise<T>): Promise<{ url: string; value: T }> {
    const candidates = nodeUrl === undefined ? this.nodes : this.nodes.filter(({ url }) => url === nodeUrl);
    if (candidates.length === 0) throw new ConsoleError('unknown_node', `${nodeUrl ?? ''} is not a node of fleet "${this.name}"`);
    const answers = await Promise.all(
      candidates.map(({ url, client }) =>
        call(client).then(
          (value) => ({ url, value }),
          (error: unknown) => ({ url, error: asAdminError(error) }),
        ),
      ),
    );
    for (const answer of answers) if ('value' in answer) return answer;
    const failures = answers.filter((answer): answer is { url: string; error: AdminApiError } => 'error' in answer && answer.error.details.status !== 404);
    if (failures.length === 0) {
      throw new ConsoleError('not_found', candidates.length === 1 ? `${candidates[0]?.url ?? ''} has no ${what} "${requestId}"` : `no node of fleet "${this.name}" has a ${what} "${requestId}"`);
    }
    // Every node asked refused for the same reason (say, the token may not read payloads): that reason is the answer.
    const [first] = failures;
    if (first && failures.length === candidates.length && failures.every(({ error }) => error.code === first.error.code)) {
      throw new ConsoleError(first.error.code, failures.map(({ error }) => error.message).join('; '));
    }
    throw new ConsoleError(
      'not_found_on_answering_nodes',
      `no node that answered has a ${what} "${requestId}"; ${failures.map(({ error }) => error.message).join('; ')}`,
    );
  }

  private nobodyAnswered(failures: readonly ({ url: string; error: string } | { url: string })[]): ConsoleError {
    const details = failures.flatMap((failure) => ('error' in failure ? [failure.error] : [])).join('; ');
    return new ConsoleError('fleet_unreachable', `no node of fleet "${this.name}" answered: ${details}`);
  }
}

/**
 * Nodes that answer with the same `node.id` fail the test: a fleet tells its nodes apart by it (the
 * Redis claims, the reconcile at restart, the delivery log's Node column), so two of them sharing
 * one would take each other's claims for their own.
 */
function sharedNodeIds(tests: NodeTest[]): NodeTest[] {
  return tests.map((test) => {
    const others = tests.filter((other) => other !== test && other.nodeId !== undefined && other.nodeId === test.nodeId).map((other) => other.url);
    if (others.length === 0 || test.failure) return test;
    return { ...test, failure: 'duplicate_node_id', error: `node id "${test.nodeId}" is also the id of ${others.join(', ')}: give every node of a fleet its own node.id` };
  });
}

/** A client failure as the console names it to the operator. */
function testFailure(kind: FailureKind): TestFailure {
  switch (kind) {
    case 'tls':
      return 'tls';
    case 'token_refused':
      return 'token_refused';
    case 'scope_insufficient':
      return 'scope';
    case 'throttled':
      return 'throttled';
    case 'http':
    case 'invalid_response':
      return 'not_admin_api';
    default:
      return 'unreachable';
  }
}

/** Every failure of a client call is an AdminApiError; anything else is wrapped without its text (it could hold anything). */
function asAdminError(error: unknown): AdminApiError {
  if (error instanceof AdminApiError) return error;
  if (error instanceof ConsoleError) return new AdminApiError(error.code, error.message, { kind: 'http', requestSent: false, retryable: false, reachable: false });
  return new AdminApiError('internal', 'the call to the node failed unexpectedly', { kind: 'unreachable', requestSent: true, retryable: false, reachable: false });
}
