import type { CredentialStore } from '../services/vault/credential-store.js';

/**
 * A credential store that is no store: the demo's admin token and the local receiver's seed must
 * never reach the operator's real keychain, so the vault is told there is none and keeps both in
 * memory for this session, as it does on a machine without a Secret Service.
 */
export function sessionOnlyCredentials(): CredentialStore {
  return {
    get: () => Promise.resolve(undefined),
    set: () => Promise.reject(new Error('the demo keeps credentials for this session only')),
    delete: () => Promise.resolve(false),
    probe: () => Promise.resolve({ ok: false, reason: 'the demo keeps its credentials in memory for this session only' }),
  };
}
