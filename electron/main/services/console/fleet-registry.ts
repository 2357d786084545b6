import { randomBytes } from 'node:crypto';
import type { FleetSummary, NodeHealth, NodeResult, NodeTest, ParsedInput } from '../../../../shared/contract/console.js';
import { ConsoleError } from '../console-error.js';
import { adminOrigin } from '../fleets/admin-client.js';
import { FleetConnection } from '../fleets/fleet-connection.js';
import { fleetHealth, nodeHealth } from './fleet-health.js';
import type { SettingsFile, FleetSettings } from '../settings/settings-file.js';
import type { Vault } from '../vault/vault.js';

/**
 * The fleets the operator connected: their non-secret settings in the settings file, their tokens
 * in the vault, and one FleetConnection each, built on demand.
 */
export class FleetRegistry {
  private readonly connections = new Map<string, FleetConnection>();

  constructor(
    private readonly settings: SettingsFile,
    private readonly vault: Vault,
    /** Told whenever the set of fleets or a fleet's connection changed, e.g. to follow its live stream. */
    private readonly onChange: (fleetId: string, connection: FleetConnection | undefined) => void,
  ) {}

  fleets(): readonly FleetSettings[] {
    return this.settings.current().fleets;
  }

  /**
   * Every fleet with the health of each node and of the fleet as a whole, and the token's scope.
   * A fleet that cannot be looked at (token gone, unusable settings) is listed with its problem:
   * it never makes the list fail for the others.
   */
  async list(now: () => number = Date.now): Promise<FleetSummary[]> {
    return Promise.all(
      this.fleets().map(async (fleet): Promise<FleetSummary> => {
        let connection: FleetConnection;
        try {
          connection = await this.connection(fleet.id);
        } catch (error) {
          const problem = error instanceof ConsoleError ? error.message : 'the fleet could not be opened';
          const token = await this.vault.fleetToken(fleet.id).catch(() => ({ storage: 'missing' as const }));
          const unknown: NodeHealth = { state: 'unknown', readiness: 'unknown', problems: [problem], clockOffsetMs: null, clockUncertaintyMs: null };
          return {
            id: fleet.id,
            name: fleet.name,
            tokenStorage: token.storage,
            nodes: fleet.nodes.map(({ url }) => ({ url, ok: false, error: problem, health: unknown })),
            health: { ...fleetHealth(fleet.nodes.map(() => unknown)), summary: `not checked: ${problem}` },
            scope: null,
            problem,
          };
        }
        const [probes, scope] = await Promise.all([connection.probe(now), connection.scope()]);
        const nodes = probes.map((probe) => {
          const health = nodeHealth(probe);
          return 'info' in probe
            ? { url: probe.url, ok: health.state === 'up', version: probe.info.version, nodeId: probe.info.nodeId, health, ...(health.problems.length > 0 ? { error: health.problems.join(', ') } : {}) }
            : { url: probe.url, ok: false, error: probe.error, failure: probe.failure, health };
        });
        return { id: fleet.id, name: fleet.name, tokenStorage: fleet.tokenStorage, nodes, health: fleetHealth(nodes.map((node) => node.health)), scope };
      }),
    );
  }

  /**
   * Validates everything first (URLs, pins, token), then writes: a refused fleet leaves nothing in
   * the settings file or the keychain. A URL given twice is one node.
   */
  async add(input: ParsedInput<'fleets.add'>): Promise<{ id: string; name: string; nodes: NodeResult[] }> {
    const id = `f-${randomBytes(6).toString('hex')}`;
    const fleet: FleetSettings = {
      id,
      name: input.name,
      nodes: distinctNodes(input.nodes),
      ...(input.ca ? { ca: input.ca } : {}),
      ...(input.fingerprint ? { fingerprint: input.fingerprint } : {}),
      tokenStorage: input.remember ? 'keychain' : 'session',
    };
    const connection = this.open(fleet, input.token);
    await this.vault.setFleetToken(id, input.token, input.remember);
    try {
      await this.settings.update((current) => ({ ...current, fleets: [...current.fleets, fleet] }));
    } catch (error) {
      await this.vault.forgetFleet(id);
      throw error;
    }
    this.adopt(id, connection);
    return { id, name: input.name, nodes: await this.check(id) };
  }

  async update(input: ParsedInput<'fleets.update'>): Promise<{ id: string; name: string; nodes: NodeResult[] }> {
    const existing = this.fleet(input.id);
    const remember = input.remember ?? existing.tokenStorage === 'keychain';
    // A pin is kept unless a new one is given: the edit form never shows the stored one.
    const ca = input.ca ?? existing.ca;
    const fingerprint = input.fingerprint ?? existing.fingerprint;
    const fleet: FleetSettings = {
      id: input.id,
      name: input.name,
      nodes: distinctNodes(input.nodes),
      ...(ca ? { ca } : {}),
      ...(fingerprint ? { fingerprint } : {}),
      tokenStorage: input.token ? (remember ? 'keychain' : 'session') : existing.tokenStorage,
    };
    const token = input.token ?? (await this.vault.fleetToken(input.id).then((lookup) => (lookup.storage === 'missing' ? undefined : lookup.token)));
    // Checked with the token it will use, before anything is written.
    const connection = token === undefined ? undefined : this.open(fleet, token);
    if (token === undefined) this.open(fleet, undefined);
    if (input.token) await this.vault.setFleetToken(input.id, input.token, remember);
    await this.settings.update((current) => ({ ...current, fleets: current.fleets.map((entry) => (entry.id === input.id ? fleet : entry)) }));
    this.connections.delete(input.id);
    if (connection) this.adopt(input.id, connection);
    return { id: input.id, name: input.name, nodes: await this.check(input.id) };
  }

  async remove(id: string): Promise<boolean> {
    this.fleet(id);
    await this.vault.forgetFleet(id);
    await this.settings.update((current) => ({ ...current, fleets: current.fleets.filter((fleet) => fleet.id !== id) }));
    this.connections.delete(id);
    this.onChange(id, undefined);
    return true;
  }

  async test(input: ParsedInput<'fleets.test'>): Promise<NodeTest[]> {
    if ('id' in input) return (await this.connection(input.id)).test();
    return new FleetConnection({ id: 'test', nodes: distinctNodes(input.nodes), token: input.token, ca: input.ca, fingerprint: input.fingerprint }).test();
  }

  /** The fleet's connection; a token lost from the keychain is a clear request to enter it again. */
  async connection(fleetId: string): Promise<FleetConnection> {
    const cached = this.connections.get(fleetId);
    if (cached) return cached;
    const fleet = this.fleet(fleetId);
    const token = await this.vault.fleetToken(fleetId);
    if (token.storage === 'missing') {
      throw new ConsoleError('token_missing', `the admin token of "${fleet.name}" is no longer available (keychain reset, or kept for a session that ended): edit the fleet and enter it again`);
    }
    const connection = this.open(fleet, token.token);
    this.adopt(fleetId, connection);
    return connection;
  }

  /** Every fleet whose token is at hand, for the health monitor; one without is not watched (it waits for the operator). */
  async watched(): Promise<FleetConnection[]> {
    const connections = await Promise.all(this.fleets().map((fleet) => this.connection(fleet.id).catch(() => undefined)));
    return connections.filter((connection): connection is FleetConnection => connection !== undefined);
  }

  /** A connection to the fleet as configured; throws (a ConsoleError naming the problem) for a bad URL, pin or token. */
  private open(fleet: FleetSettings, token: string | undefined): FleetConnection {
    return new FleetConnection({ id: fleet.id, name: fleet.name, nodes: fleet.nodes, token, ca: fleet.ca, fingerprint: fleet.fingerprint });
  }

  private adopt(fleetId: string, connection: FleetConnection): void {
    this.connections.set(fleetId, connection);
    this.onChange(fleetId, connection);
  }

  private fleet(id: string): FleetSettings {
    const fleet = this.fleets().find((entry) => entry.id === id);
    if (!fleet) throw new ConsoleError('fleet_not_found', `no fleet "${id}"`);
    return fleet;
  }

  private async check(id: string): Promise<NodeResult[]> {
    const tests = await (await this.connection(id)).test();
    return tests.map((test) => ({ url: test.url, ok: test.failure === undefined, ...(test.error ? { error: test.error } : {}) }));
  }
}

/** The nodes with each admin address once: `https://a:9090` and `https://a:9090/` are one node, not a ghost second row. */
export function distinctNodes(nodes: readonly { url: string }[]): { url: string }[] {
  const seen = new Set<string>();
  return nodes.filter(({ url }) => {
    const key = adminOrigin(url).origin;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
