import type * as AjvModule from 'ajv';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { IntegrationConfig } from '../../shared/contract/receiver-config.js';
import type { SchemeName } from '../../shared/model/schemes.js';
import { resolveSecret } from '../config/resolve-secret.js';
import { parsePointer } from '../store/capture-codec.js';
import { rejectWeakSecret } from '../config/secret-strength.js';
import { createScheme } from '../schemes/create-scheme.js';
import type { KillSwitch, StoredSecret } from '../state/integration-state.js';
import type { SignatureScheme, VerificationKey } from '../schemes/scheme.js';
import { addressList, type AddressList } from './address-list.js';
import type { BucketLimit } from './token-buckets.js';

const requireModule = createRequire(import.meta.url);

/** A secret with its prepared key. `value` stays in memory (diagnosis of stray whitespace); never logged or stored in clear. */
export interface IntegrationSecret extends VerificationKey<unknown> {
  readonly spec: StoredSecret;
}

export interface KeySplit {
  readonly active: readonly IntegrationSecret[];
  readonly retired: readonly IntegrationSecret[];
}

/** When the node first saw a secret (persisted), for secrets whose config gives no `createdAt`. */
export type FirstSeen = (integrationId: string, secretId: string, value: string) => number;

/** A problem building one integration, located by the key under the integration. */
export class IntegrationConfigError extends Error {
  constructor(
    readonly keyPath: string,
    message: string,
  ) {
    super(message);
  }
}

/** An integration ready for the hot path: scheme, prepared keys, compiled limits and schema. */
export class IntegrationRuntime {
  readonly id: string;
  readonly path: string;
  readonly schemeName: SchemeName;
  readonly scheme: SignatureScheme<unknown>;
  readonly toleranceMs: number;
  readonly idWindowMs: number;
  /** A timestamped signature is useless after the window; an untimestamped one stays valid, so it is kept as long as ids. */
  readonly signatureWindowMs: number;
  readonly idHeader: string | undefined;
  /** Configured signature header names that the log must redact although they do not say "signature". */
  readonly signatureHeaders: ReadonlySet<string>;
  readonly maxBodyBytes: number;
  readonly rateLimit: BucketLimit | undefined;
  readonly perSourceLimit: BucketLimit | undefined;
  readonly allowIps: AddressList | undefined;
  readonly validateBody: ((body: unknown) => boolean) | undefined;
  readonly captureRetentionMs: number;
  readonly capture: { readonly rejectedBytes: number; readonly rejectedBytesPerMinute: number; readonly redact: readonly string[] };
  kill: KillSwitch | null = null;
  /** The secrets the config file names, resolved: runtime state is compared against them to report drift. */
  readonly fileSecrets: readonly StoredSecret[];
  private secrets: readonly IntegrationSecret[] = [];
  private split: KeySplit = { active: [], retired: [] };
  private splitValidUntil = -Infinity;

  constructor(config: IntegrationConfig, options: { baseDir: string; defaultMaxBodyBytes: number; now: number; env?: NodeJS.ProcessEnv; firstSeen?: FirstSeen }) {
    this.id = config.id;
    this.path = config.path ?? `/hooks/${config.id}`;
    this.schemeName = config.scheme;
    this.scheme = build('scheme', () => createScheme(config, options.baseDir));
    this.toleranceMs = config.toleranceSeconds * 1000;
    this.idWindowMs = config.dedupeWindowSeconds * 1000;
    this.signatureWindowMs = this.scheme.signsTimestamp ? Math.max(2 * this.toleranceMs, 60_000) : this.idWindowMs;
    this.idHeader = config.idHeader;
    this.signatureHeaders = new Set(config.scheme === 'hmac' ? [config.hmac.header] : config.scheme === 'jws' ? [config.jws.header] : []);
    this.maxBodyBytes = config.maxBodyBytes ?? options.defaultMaxBodyBytes;
    this.rateLimit = config.rateLimit && { perSecond: config.rateLimit.perSecond, burst: config.rateLimit.burst };
    this.perSourceLimit = config.rateLimit?.perSource;
    this.allowIps = config.allowIps && build('allowIps', () => addressList(config.allowIps ?? []));
    this.validateBody = config.schema === undefined ? undefined : build('schema', () => compileSchema(resolve(options.baseDir, config.schema ?? '')));
    this.captureRetentionMs = config.capture.retentionDays * 86_400_000;
    this.capture = { rejectedBytes: config.capture.rejectedBytes, rejectedBytesPerMinute: config.capture.rejectedBytesPerMinute, redact: config.capture.redact };
    config.capture.redact.forEach((pointer, index) => build(`capture.redact[${index}]`, () => parsePointer(pointer)));
    this.fileSecrets =
      'secrets' in config
        ? config.secrets.map((secret, index) => {
            const value = build(`secrets[${index}].value`, () => resolveSecret(secret.value, options.baseDir, options.env));
            build(`secrets[${index}].value`, () => this.scheme.prepareKey(rejectWeakSecret(config.scheme, value)));
            return {
              id: secret.id,
              value,
              createdAt: secret.createdAt ? Date.parse(secret.createdAt) : (options.firstSeen?.(config.id, secret.id, value) ?? options.now),
              ...(secret.expiresAt ? { expiresAt: Date.parse(secret.expiresAt) } : {}),
              source: 'file' as const,
            };
          })
        : [];
    this.setSecrets(this.fileSecrets);
  }

  /** Replaces the secrets (a rotation, or state from another node); throws if a value is not a key of this scheme. */
  setSecrets(specs: readonly StoredSecret[]): void {
    this.secrets = specs.map((spec) => ({ secretId: spec.id, key: this.scheme.prepareKey(spec.value), spec }));
    this.splitValidUntil = -Infinity;
  }

  get secretSpecs(): readonly StoredSecret[] {
    return this.secrets.map((secret) => secret.spec);
  }

  /** Secrets still accepted and secrets past their expiry, recomputed only when an expiry passes. */
  keysAt(now: number): KeySplit {
    if (now >= this.splitValidUntil) {
      const active: IntegrationSecret[] = [];
      const retired: IntegrationSecret[] = [];
      let next = Infinity;
      for (const secret of this.secrets) {
        const { expiresAt } = secret.spec;
        if (expiresAt !== undefined && expiresAt <= now) retired.push(secret);
        else {
          active.push(secret);
          if (expiresAt !== undefined) next = Math.min(next, expiresAt);
        }
      }
      this.split = { active, retired };
      this.splitValidUntil = next;
    }
    return this.split;
  }
}

function build<T>(keyPath: string, make: () => T): T {
  try {
    return make();
  } catch (error) {
    throw new IntegrationConfigError(keyPath, error instanceof Error ? error.message : String(error));
  }
}

function compileSchema(file: string): (body: unknown) => boolean {
  let schema: unknown;
  try {
    schema = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read JSON Schema ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  // Required here rather than imported: only integrations that validate bodies need ajv, and loading it
  // took about a tenth of a node's start-up.
  const { Ajv } = requireModule('ajv') as typeof AjvModule;
  const validate = new Ajv({ allErrors: false, strict: false }).compile(schema as object);
  return (body) => validate(body);
}
