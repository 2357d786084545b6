import type { CredentialStore } from '../../electron/main/services/vault/credential-store.js';

/**
 * A credential store in memory, for tests of the console's other services. The vault itself is
 * tested against a real Secret Service (test/integration/vault); this stands in for it elsewhere
 * so those tests need no keyring daemon.
 */
export function memoryCredentials(): CredentialStore & { readonly entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return {
    entries,
    get: (account) => Promise.resolve(entries.get(account)),
    set: (account, secret) => {
      entries.set(account, secret);
      return Promise.resolve();
    },
    delete: (account) => Promise.resolve(entries.delete(account)),
    probe: () => Promise.resolve({ ok: true }),
  };
}
