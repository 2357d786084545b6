import { ConsoleError } from '../console-error.js';
import type { CredentialStore } from './credential-store.js';

export type TokenLookup = { readonly token: string; readonly storage: 'keychain' | 'session' } | { readonly storage: 'missing' };

/** Account names carry ids only, never values: `fleet:<id>:token`, `fleet:<id>:secret:<integration>:<secret id>`. */
const tokenAccount = (fleetId: string) => `fleet:${fleetId}:token`;
const secretAccount = (fleetId: string, integrationId: string, secretId: string) => `fleet:${fleetId}:secret:${integrationId}:${secretId}`;
const indexAccount = (fleetId: string) => `fleet:${fleetId}:index`;

/**
 * The console's secrets: fleet admin tokens and secrets the operator chose to keep. In the OS
 * keychain, or (asked for, or with no keychain) in memory for this session only — never in a
 * file. An entry that vanished from the keychain reads as `missing`, for the console to ask again.
 */
export class Vault {
  private readonly session = new Map<string, string>();

  constructor(private readonly store: CredentialStore) {}

  status(): Promise<{ ok: true } | { ok: false; reason: string }> {
    return this.store.probe();
  }

  async setFleetToken(fleetId: string, token: string, remember: boolean): Promise<void> {
    if (!remember) {
      this.session.set(tokenAccount(fleetId), token);
      await this.deleteQuietly(tokenAccount(fleetId));
      return;
    }
    await this.keep(fleetId, tokenAccount(fleetId), token);
    this.session.delete(tokenAccount(fleetId));
  }

  async fleetToken(fleetId: string): Promise<TokenLookup> {
    const inSession = this.session.get(tokenAccount(fleetId));
    if (inSession !== undefined) return { token: inSession, storage: 'session' };
    const stored = await this.read(tokenAccount(fleetId));
    return stored === undefined ? { storage: 'missing' } : { token: stored, storage: 'keychain' };
  }

  keepSecret(fleetId: string, integrationId: string, secretId: string, value: string): Promise<void> {
    return this.keep(fleetId, secretAccount(fleetId, integrationId, secretId), value);
  }

  async keptSecret(fleetId: string, integrationId: string, secretId: string): Promise<string | undefined> {
    return this.session.get(secretAccount(fleetId, integrationId, secretId)) ?? (await this.read(secretAccount(fleetId, integrationId, secretId)));
  }

  /** Removes every entry of the fleet: its token and the secrets kept for it. */
  async forgetFleet(fleetId: string): Promise<void> {
    for (const account of [...this.session.keys()]) if (account.startsWith(`fleet:${fleetId}:`)) this.session.delete(account);
    const accounts = await this.index(fleetId);
    for (const account of [...accounts, tokenAccount(fleetId), indexAccount(fleetId)]) await this.deleteQuietly(account);
  }

  /** Writes to the keychain, or to the session when there is none and a secret must not be lost now. */
  private async keep(fleetId: string, account: string, value: string): Promise<void> {
    const available = await this.store.probe();
    if (!available.ok) {
      if (account === tokenAccount(fleetId)) throw new ConsoleError('keychain_unavailable', available.reason);
      this.session.set(account, value);
      return;
    }
    try {
      await this.store.set(account, value);
      const accounts = await this.index(fleetId);
      if (!accounts.includes(account)) await this.store.set(indexAccount(fleetId), JSON.stringify([...accounts, account]));
    } catch {
      throw new ConsoleError('keychain_failed', 'the OS keychain refused to store the entry; nothing was written elsewhere');
    }
  }

  private async read(account: string): Promise<string | undefined> {
    try {
      return await this.store.get(account);
    } catch {
      // An unavailable keychain and an entry that went missing ask the same of the operator: enter it again.
      return undefined;
    }
  }

  private async index(fleetId: string): Promise<string[]> {
    const text = await this.read(indexAccount(fleetId));
    try {
      const parsed: unknown = text ? JSON.parse(text) : [];
      return Array.isArray(parsed) ? parsed.filter((entry): entry is string => typeof entry === 'string') : [];
    } catch {
      return [];
    }
  }

  private async deleteQuietly(account: string): Promise<void> {
    try {
      await this.store.delete(account);
    } catch {
      // Nothing to delete where nothing could be stored.
    }
  }
}
