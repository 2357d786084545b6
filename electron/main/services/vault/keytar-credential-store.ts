import type { CredentialStore } from './credential-store.js';

/** Every entry the console keeps is under this service name in the OS keychain. */
export const KEYCHAIN_SERVICE = 'Hookwarden';

interface Keytar {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
  findCredentials(service: string): Promise<{ account: string; password: string }[]>;
}

const UNAVAILABLE =
  'No OS keychain is available (no Secret Service answered on the session bus, or the keychain is locked). Hookwarden does not store tokens in plain text: tokens are kept for this session only.';

/**
 * The OS keychain through `@github/keytar` (macOS Keychain, Windows Credential Manager, the Secret
 * Service on Linux). Loaded lazily, so a missing native module or libsecret is reported by
 * `probe()` instead of crashing the console at start.
 */
export class KeytarCredentialStore implements CredentialStore {
  private keytar: Promise<Keytar> | undefined;

  private load(): Promise<Keytar> {
    this.keytar ??= import('@github/keytar').then((module) => (module as { default?: Keytar }).default ?? (module as unknown as Keytar));
    return this.keytar;
  }

  async get(account: string): Promise<string | undefined> {
    return (await (await this.load()).getPassword(KEYCHAIN_SERVICE, account)) ?? undefined;
  }

  async set(account: string, secret: string): Promise<void> {
    await (await this.load()).setPassword(KEYCHAIN_SERVICE, account, secret);
  }

  async delete(account: string): Promise<boolean> {
    return (await this.load()).deletePassword(KEYCHAIN_SERVICE, account);
  }

  async probe(): Promise<{ ok: true } | { ok: false; reason: string }> {
    try {
      // A read of an entry that does not exist still has to reach the Secret Service.
      await (await this.load()).findCredentials(KEYCHAIN_SERVICE);
      return { ok: true };
    } catch {
      return { ok: false, reason: UNAVAILABLE };
    }
  }
}
