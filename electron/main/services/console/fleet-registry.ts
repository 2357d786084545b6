import { randomBytes } from 'node:crypto';
import type { FleetSummary, NodeResult, NodeTest, ParsedInput } from '../../../../shared/contract/console.js';
import { ConsoleError } from '../console-error.js';
import { FleetConnection } from '../fleets/fleet-connection.js';
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

  async list(): Promise<FleetSummary[]> {
    return Promise.all(
      this.fleets().map(async (fleet): Promise<FleetSummary> => {
        const token = await this.vault.fleetToken(fleet.id);
        if (token.storage === 'missing') {
          return {
            id: fleet.id,
            name: fleet.name,
            tokenStorage: 'missing',
            nodes: fleet.nodes.map(({ url }) => ({ url, ok: false, error: 'the admin token is no longer in the keychain: enter it again' })),
          };
        }
        const connection = await this.connection(fleet.id);
        const infos = await connection.nodeInfo();
        return {
          id: fleet.id,
          name: fleet.name,
          tokenStorage: token.storage,
          nodes: infos.map((answer) =>
            'info' in answer ? { url: answer.url, ok: true, version: answer.info.version, nodeId: answer.info.nodeId } : { url: answer.url, ok: false, error: answer.error },
          ),
        };
      }),
    );
  }

  async add(input: ParsedInput<'fleets.add'>): Promise<{ id: string; name: string; nodes: NodeResult[] }> {
    const id = `f-${randomBytes(6).toString('hex')}`;
    await this.vault.setFleetToken(id, input.token, input.remember);
    const fleet: FleetSettings = {
      id,
      name: input.name,
      nodes: input.nodes,
      ...(input.ca ? { ca: input.ca } : {}),
      ...(input.fingerprint ? { fingerprint: input.fingerprint } : {}),
      tokenStorage: input.remember ? 'keychain' : 'session',
    };
    await this.settings.update((current) => ({ ...current, fleets: [...current.fleets, fleet] }));
    return { id, name: input.name, nodes: await this.check(id) };
  }

  async update(input: ParsedInput<'fleets.update'>): Promise<{ id: string; name: string; nodes: NodeResult[] }> {
    const existing = this.fleet(input.id);
    if (input.token) await this.vault.setFleetToken(input.id, input.token, input.remember ?? existing.tokenStorage === 'keychain');
    // A pin is kept unless a new one is given: the edit form never shows the stored one.
    const ca = input.ca ?? existing.ca;
    const fingerprint = input.fingerprint ?? existing.fingerprint;
    const fleet: FleetSettings = {
      id: input.id,
      name: input.name,
      nodes: input.nodes,
      ...(ca ? { ca } : {}),
      ...(fingerprint ? { fingerprint } : {}),
      tokenStorage: input.token ? ((input.remember ?? existing.tokenStorage === 'keychain') ? 'keychain' : 'session') : existing.tokenStorage,
    };
    await this.settings.update((current) => ({ ...current, fleets: current.fleets.map((entry) => (entry.id === input.id ? fleet : entry)) }));
    this.connections.delete(input.id);
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
    return new FleetConnection({ id: 'test', nodes: input.nodes, token: input.token, ca: input.ca, fingerprint: input.fingerprint }).test();
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
    const connection = new FleetConnection({ id: fleet.id, name: fleet.name, nodes: fleet.nodes, token: token.token, ca: fleet.ca, fingerprint: fleet.fingerprint });
    this.connections.set(fleetId, connection);
    this.onChange(fleetId, connection);
    return connection;
  }

  private fleet(id: string): FleetSettings {
    const fleet = this.fleets().find((entry) => entry.id === id);
    if (!fleet) throw new ConsoleError('fleet_not_found', `no fleet "${id}"`);
    return fleet;
  }

  private async check(id: string): Promise<NodeResult[]> {
    const tests = await (await this.connection(id)).test();
    return tests.map((test) => ({ url: test.url, ok: test.reachable && test.tokenOk && test.tls !== 'failed', ...(test.error ? { error: test.error } : {}) }));
  }
}
