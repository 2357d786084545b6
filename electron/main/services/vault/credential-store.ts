/** A place for secrets keyed by account name: the OS keychain in the app, memory in some tests. */
export interface CredentialStore {
  get(account: string): Promise<string | undefined>;
  set(account: string, secret: string): Promise<void>;
  delete(account: string): Promise<boolean>;
  /** Whether the store can be used at all, and if not why, in words for the operator. */
  probe(): Promise<{ ok: true } | { ok: false; reason: string }>;
}
