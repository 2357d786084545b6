import type Database from 'better-sqlite3';
import type { IntegrationView, NodeInfo, SecretView } from '../../shared/contract/admin-api.js';
import type { IntegrationRuntime } from '../pipeline/integration-runtime.js';
import { isJwsScheme } from '../schemes/jws.js';
import { fingerprint } from '../state/fingerprint.js';
import type { StoredSecret } from '../state/integration-state.js';

/** Expiring: still accepted, but a rotation has given it an end. */
function secretState(secret: StoredSecret, now: number): SecretView['state'] {
  if (secret.retiredAt !== undefined) return 'retired';
  if (secret.expiresAt === undefined) return 'active';
  return secret.expiresAt <= now ? 'expired' : 'expiring';
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Accepted deliveries not yet handed downstream, as the node's dispatcher counts them. */
export interface DownstreamBacklog {
  readonly backlog: number;
  readonly oldestAgeSeconds: number | null;
  readonly ok?: boolean;
  readonly detail?: string;
}

export interface NodeFacts {
  readonly nodeId: string;
  readonly version: string;
  readonly startedAt: number;
  readonly sharedState: string | null;
  readonly health: () => Pick<NodeInfo, 'storage' | 'redis'>;
  /** What `/readyz` answers. */
  readonly ready: () => boolean;
  readonly downstream?: () => DownstreamBacklog;
}

/** Builds the admin API's views of the node and of its integrations from the runtime and the store. */
export class RuntimeViews {
  private readonly counts: Database.Statement<[string, number], { outcome: string; count: number }>;
  private readonly lastDelivery: Database.Statement<[string], number>;
  private readonly held: Database.Statement<[string], number>;

  constructor(
    db: Database.Database,
    private readonly node: NodeFacts,
  ) {
    this.counts = db.prepare('SELECT outcome, sum(count) AS count FROM stats_minute_live WHERE integration_id = ? AND minute >= ? GROUP BY outcome');
    this.lastDelivery = db.prepare('SELECT received_at FROM deliveries WHERE integration_id = ? ORDER BY seq DESC LIMIT 1').pluck() as Database.Statement<[string], number>;
    this.held = db.prepare('SELECT count(*) FROM deliveries WHERE outbox = 2 AND integration_id = ?').pluck() as Database.Statement<[string], number>;
  }

  nodeInfo(now: number): NodeInfo {
    return {
      nodeId: this.node.nodeId,
      version: this.node.version,
      startedAt: iso(this.node.startedAt),
      uptimeSeconds: Math.round((now - this.node.startedAt) / 1000),
      sharedState: this.node.sharedState,
      ...this.node.health(),
      time: iso(now),
      ready: this.node.ready(),
      ...(this.node.downstream ? { downstream: downstreamView(this.node.downstream) } : {}),
    };
  }

  integration(runtime: IntegrationRuntime, now: number): IntegrationView {
    const counts = { total: 0, accepted: 0, rejected: 0, duplicate: 0 };
    for (const row of this.counts.all(runtime.id, Math.floor((now - 86_400_000) / 60_000))) {
      counts.total += row.count;
      if (row.outcome === 'accepted' || row.outcome === 'rejected' || row.outcome === 'duplicate') counts[row.outcome] += row.count;
    }
    const last = this.lastDelivery.get(runtime.id);
    const kill = runtime.kill;
    return {
      id: runtime.id,
      scheme: runtime.schemeName,
      path: runtime.path,
      status: kill === null ? 'active' : kill.mode === 'hold' ? 'held' : 'killed',
      kill: kill && { mode: kill.mode, reason: kill.reason, since: iso(kill.since), actor: kill.actor },
      secrets: runtime.secretSpecs.map((secret) => ({
        id: secret.id,
        createdAt: iso(secret.createdAt),
        ...(secret.expiresAt === undefined ? {} : { expiresAt: iso(secret.expiresAt) }),
        fingerprint: fingerprint(secret.value),
        state: secretState(secret, now),
        source: secret.source,
        ...(secret.pending === true ? { pending: true } : {}),
      })),
      limits: {
        toleranceSeconds: runtime.toleranceMs / 1000,
        dedupeWindowSeconds: runtime.idWindowMs / 1000,
        maxBodyBytes: runtime.maxBodyBytes,
        rateLimit: runtime.rateLimit ?? null,
      },
      heldCount: this.held.get(runtime.id) ?? 0,
      counts24h: counts,
      lastDeliveryAt: last === undefined ? null : iso(last),
      drift: drift(runtime),
      ...(isJwsScheme(runtime.scheme) ? { jws: runtime.scheme.keySet() } : {}),
    };
  }
}

/** A backlog that cannot be read is reported as not ok, never as an empty queue. */
function downstreamView(read: () => DownstreamBacklog): NonNullable<NodeInfo['downstream']> {
  try {
    const { backlog, oldestAgeSeconds, ok = true, detail } = read();
    return { ok, backlog, oldestAgeSeconds, ...(detail === undefined ? {} : { detail }) };
  } catch (error) {
    return { ok: false, backlog: 0, oldestAgeSeconds: null, detail: `backlog unreadable: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** Where runtime state differs from the config file, in words an operator compares with the file. */
function drift(runtime: IntegrationRuntime): IntegrationView['drift'] {
  const describe = (secrets: readonly StoredSecret[]) =>
    secrets
      .map((secret) => `${secret.id}:${fingerprint(secret.value)}${secret.expiresAt === undefined ? '' : `(expires ${iso(secret.expiresAt)})`}`)
      .join(', ');
  const result: IntegrationView['drift'] = [];
  const file = describe(runtime.fileSecrets);
  const current = describe(runtime.secretSpecs);
  if (file !== current) result.push({ field: 'secrets', file, runtime: current });
  if (runtime.kill) result.push({ field: 'kill', file: 'off', runtime: runtime.kill.mode });
  return result;
}
