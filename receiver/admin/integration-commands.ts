import type { z } from 'zod';
import type { AddSecretRequest, ConfirmSecretRequest, IntegrationView, KillRequest, RedriveRequest, RedriveResult, ReleaseRequest } from '../../shared/contract/admin-api.js';
import { addSecretRequest, confirmSecretRequest, killRequest, redriveRequest, releaseRequest } from '../../shared/contract/admin-api.js';
import type { RedriveSelection } from '../store/sqlite/log-writer.js';
import { weakSecretReason } from '../config/secret-strength.js';
import type { IntegrationRuntime } from '../pipeline/integration-runtime.js';
import type { IntegrationState, StoredSecret } from '../state/integration-state.js';
import type { StateSync, VersionedState } from '../state/state-sync.js';
import { AdminError, type Actor, type AdminCommands } from './admin-service.js';
import type { RefusalSummary } from './refusal-audit.js';

/** Unexpired old secrets an integration may keep during rotations: overlap must stay bounded. */
const MAX_UNEXPIRED_OLD_SECRETS = 10;
/** Expired and retired secrets kept so a delivery signed with one is named `signature_retired_secret`. */
const MAX_RETIRED_KEPT = 10;
const CAS_ATTEMPTS = 5;

export interface AuditSink {
  append(entry: { at: number; actor: string; action: string; integrationId: string | null; details: Record<string, unknown>; person?: string | null }): unknown;
}

export interface CommandOptions {
  readonly integrations: readonly IntegrationRuntime[];
  readonly sync: StateSync;
  readonly audit: AuditSink;
  readonly view: (runtime: IntegrationRuntime) => IntegrationView;
  readonly now: () => number;
  /** Re-enqueues the selected captured deliveries downstream (the store's redrive). */
  readonly redrive: (selection: RedriveSelection) => Promise<{ matched: number; requeued: number }>;
}

/** Kill switch and secret changes: validated, stored (compare-and-set), applied, audited. */
export class IntegrationCommands implements AdminCommands {
  private readonly byId: ReadonlyMap<string, IntegrationRuntime>;

  constructor(private readonly options: CommandOptions) {
    this.byId = new Map(options.integrations.map((integration) => [integration.id, integration]));
  }

  async kill(actor: Actor, integrationId: string, request: KillRequest): Promise<IntegrationView> {
    const { mode, reason } = parse(killRequest, request);
    return this.change(actor, integrationId, 'kill.engage', { mode, reason }, (state, now) => ({
      ...state,
      kill: { mode, reason, since: now, actor: actor.name },
    }));
  }

  async release(actor: Actor, integrationId: string, request: ReleaseRequest): Promise<IntegrationView> {
    const { reason, held } = parse(releaseRequest, request);
    return this.change(actor, integrationId, 'kill.release', { reason, held }, (state) => {
      if (!state.kill) throw new AdminError(409, 'not_killed', `the kill switch of "${integrationId}" is not engaged`);
      return { ...state, kill: null, heldDisposition: held };
    });
  }

  async addSecret(actor: Actor, integrationId: string, request: AddSecretRequest): Promise<IntegrationView> {
    const { secret, overlapSeconds, id, pending } = parse(addSecretRequest, request);
    const runtime = this.runtime(integrationId);
    const weak = weakSecretReason(runtime.schemeName, secret);
    if (weak !== undefined) throw new AdminError(400, 'weak_secret', `secret: ${weak}`);
    try {
      runtime.scheme.prepareKey(secret);
    } catch (error) {
      throw new AdminError(400, 'invalid_secret', `not a ${runtime.schemeName} secret: ${error instanceof Error ? error.message : 'unusable value'}`);
    }
    // A pending secret's overlap is given when it is confirmed, not now.
    return this.change(actor, integrationId, 'secret.add', pending ? { pending } : { overlapSeconds }, (state, now, details) => {
      const secretId = id ?? `s${now.toString(36)}`;
      if (state.secrets.some((existing) => existing.id === secretId)) throw new AdminError(409, 'secret_exists', `secret "${secretId}" already exists`);
      details.secretId = secretId;
      const added = { id: secretId, value: secret, createdAt: now, source: 'runtime' as const };
      if (pending) {
        // Nothing expires until the confirmation, so the number of live secrets is what stays bounded.
        if (state.secrets.filter((old) => old.retiredAt === undefined && (old.expiresAt ?? Infinity) > now).length > MAX_UNEXPIRED_OLD_SECRETS) {
          throw new AdminError(409, 'too_many_secrets', `at most ${MAX_UNEXPIRED_OLD_SECRETS} unexpired old secrets; retire some first`);
        }
        return { ...state, secrets: prune([...state.secrets, { ...added, pending: true }], now) };
      }
      const expiresOld = now + overlapSeconds * 1000;
      details.expiresOld = new Date(expiresOld).toISOString();
      return { ...state, secrets: prune([...expireOthers(state.secrets, secretId, expiresOld, now), added], now) };
    });
  }

  confirmSecret(actor: Actor, integrationId: string, secretId: string, request: ConfirmSecretRequest): Promise<IntegrationView> {
    const { overlapSeconds } = parse(confirmSecretRequest, request);
    return this.change(actor, integrationId, 'secret.confirm', { secretId, overlapSeconds }, (state, now, details) => {
      const target = state.secrets.find((secret) => secret.id === secretId);
      if (!target) throw new AdminError(404, 'secret_not_found', `no secret "${secretId}" in "${integrationId}"`);
      if (target.pending !== true) throw new AdminError(409, 'not_pending', `secret "${secretId}" is not waiting for confirmation`);
      const expiresOld = now + overlapSeconds * 1000;
      details.expiresOld = new Date(expiresOld).toISOString();
      const confirmed = state.secrets.map((secret) => (secret.id === secretId ? { ...secret, pending: undefined } : secret));
      return { ...state, secrets: prune(expireOthers(confirmed, secretId, expiresOld, now), now) };
    });
  }

  retireSecret(actor: Actor, integrationId: string, secretId: string): Promise<IntegrationView> {
    return this.change(actor, integrationId, 'secret.retire', { secretId }, (state, now) => {
      const target = state.secrets.find((secret) => secret.id === secretId);
      if (!target) throw new AdminError(404, 'secret_not_found', `no secret "${secretId}" in "${integrationId}"`);
      const othersActive = state.secrets.some((secret) => secret.id !== secretId && secret.retiredAt === undefined && (secret.expiresAt ?? Infinity) > now);
      if (!othersActive) throw new AdminError(409, 'last_secret', `"${secretId}" is the last active secret of "${integrationId}"; add a new one first`);
      return { ...state, secrets: prune(state.secrets.map((secret) => (secret.id === secretId ? { ...secret, retiredAt: now, expiresAt: now } : secret)), now) };
    });
  }

  async redrive(actor: Actor, request: RedriveRequest): Promise<RedriveResult> {
    const parsed = parse(redriveRequest, request);
    this.runtime(parsed.integration);
    const selection: RedriveSelection = {
      integration: parsed.integration,
      since: parsed.since === undefined ? 0 : Date.parse(parsed.since),
      until: parsed.until === undefined ? Number.MAX_SAFE_INTEGER : Date.parse(parsed.until),
      outcomes: parsed.outcome,
      requestIds: parsed.requestIds ?? null,
      dryRun: parsed.dryRun,
    };
    const result = await this.options.redrive(selection);
    if (!parsed.dryRun) {
      const details = { since: parsed.since ?? null, until: parsed.until ?? null, outcome: parsed.outcome, requestIds: parsed.requestIds?.length ?? null, ...result };
      this.options.audit.append({
        at: this.options.now(),
        actor: actor.name,
        action: 'deliveries.redrive',
        integrationId: parsed.integration,
        details: { ...details, sourceIp: actor.sourceIp },
        person: actor.person ?? null,
      });
    }
    return { ...result, dryRun: parsed.dryRun };
  }

  auditRefusal(summary: RefusalSummary): void {
    const { actor, ...details } = summary;
    this.options.audit.append({
      at: this.options.now(),
      actor: actor.name,
      action: 'auth.refused',
      integrationId: null,
      details: { ...details, sourceIp: actor.sourceIp },
      person: actor.person ?? null,
    });
  }

  auditPayloadRead(actor: Actor, requestId: string, integrationId: string): void {
    this.options.audit.append({
      at: this.options.now(),
      actor: actor.name,
      action: 'payload.read',
      integrationId,
      details: { requestId, sourceIp: actor.sourceIp },
      person: actor.person ?? null,
    });
  }

  private runtime(integrationId: string): IntegrationRuntime {
    const runtime = this.byId.get(integrationId);
    if (!runtime) throw new AdminError(404, 'integration_not_found', `no integration "${integrationId}"`);
    return runtime;
  }

  private async change(
    actor: Actor,
    integrationId: string,
    action: string,
    baseDetails: Record<string, unknown>,
    next: (state: IntegrationState, now: number, details: Record<string, unknown>) => IntegrationState,
  ): Promise<IntegrationView> {
    const runtime = this.runtime(integrationId);
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const base: VersionedState = await this.options.sync.latest(runtime);
      const now = this.options.now();
      const details = { ...baseDetails };
      if (await this.options.sync.store(runtime, base, next(base.state, now, details))) {
        this.options.audit.append({ at: now, actor: actor.name, action, integrationId, details: { ...details, sourceIp: actor.sourceIp }, person: actor.person ?? null });
        return this.options.view(runtime);
      }
    }
    throw new AdminError(409, 'conflict', `the state of "${integrationId}" kept changing under this request; try again`);
  }
}

/** Callers inside the process skip the HTTP layer's validation; they get the same 400 for the same input. */
function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new AdminError(400, 'invalid_request', `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

/**
 * Gives every other live secret the expiry `expiresOld` (an earlier expiry stands). The overlap must stay
 * bounded, so too many unexpired old secrets are refused.
 */
function expireOthers(secrets: readonly StoredSecret[], keepId: string, expiresOld: number, now: number): StoredSecret[] {
  const aged = secrets.map((old) =>
    old.id === keepId || old.retiredAt !== undefined || (old.expiresAt !== undefined && old.expiresAt <= expiresOld) ? old : { ...old, expiresAt: expiresOld },
  );
  const unexpiredOld = aged.filter((old) => old.id !== keepId && old.retiredAt === undefined && (old.expiresAt ?? Infinity) > now);
  if (unexpiredOld.length > MAX_UNEXPIRED_OLD_SECRETS) {
    throw new AdminError(409, 'too_many_secrets', `at most ${MAX_UNEXPIRED_OLD_SECRETS} unexpired old secrets; retire some first`);
  }
  return aged;
}

/** Keeps every live secret and only the newest few expired or retired ones. */
function prune(secrets: readonly StoredSecret[], now: number): StoredSecret[] {
  const dead = (secret: StoredSecret) => secret.retiredAt !== undefined || (secret.expiresAt !== undefined && secret.expiresAt <= now);
  const keptDead = new Set(
    secrets
      .filter(dead)
      .sort((a, b) => (b.expiresAt ?? 0) - (a.expiresAt ?? 0))
      .slice(0, MAX_RETIRED_KEPT),
  );
  return secrets.filter((secret) => !dead(secret) || keptDead.has(secret));
}
