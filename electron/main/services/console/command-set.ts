import { LOCAL_FLEET_ID, type EventPayload, type IntegrationEntry, type LocalReceiverStatus } from '../../../../shared/contract/console.js';
import type { CommandHandlers } from '../command-handlers.js';
import { ConsoleError } from '../console-error.js';
import type { LocalReceiver } from '../local-receiver/local-receiver.js';
import type { ReplayService } from '../replay/replay-service.js';
import { ROTATION_MODE } from '../../../../shared/model/schemes.js';
import { auditTimeline, type AuditSource } from '../audit/audit-timeline.js';
import { DEFAULT_LOCAL_PORT } from '../local-receiver/local-receiver.js';
import { redriveFleet, type RedriveTarget } from '../replay/redrive.js';
import { newSecretId, newSigningSecret } from '../rotation/new-secret.js';
import { senderWarnings } from '../../../../shared/model/sender-profiles.js';
import type { Vault } from '../vault/vault.js';
import type { AlertLog } from '../alerts/alert-log.js';
import type { FleetRegistry } from './fleet-registry.js';
import type { ConsoleFleet } from './local-fleet.js';

export interface CommandSetParts {
  readonly registry: FleetRegistry;
  readonly fleet: (fleetId: string) => Promise<ConsoleFleet>;
  readonly local: LocalReceiver;
  readonly replay: ReplayService;
  readonly vault: Vault;
  readonly alerts: AlertLog;
  readonly localPort: () => number | undefined;
  /** Every followed node's stream state, announced as the `streams` event too. */
  readonly streams: () => EventPayload<'streams'>['nodes'];
  /** Remembers the port the operator chose for the local receiver. */
  readonly rememberLocalPort: (port: number) => Promise<void>;
  readonly now?: () => number;
}

/** Every command of the contract, over the fleets, the local receiver and the vault. */
export function commandSet(parts: CommandSetParts): CommandHandlers {
  const { registry, fleet, local, replay, vault, alerts } = parts;
  const now = parts.now ?? Date.now;
  const withPort = (status: Omit<LocalReceiverStatus, 'port'>): LocalReceiverStatus => ({
    ...status,
    port: status.url ? Number(new URL(status.url).port) : (parts.localPort() ?? DEFAULT_LOCAL_PORT),
  });
  const auditSources = async (fleetId: string): Promise<AuditSource[]> => {
    if (fleetId === LOCAL_FLEET_ID) {
      const engine = local.running();
      return [{ url: engine.ingressUrl, read: (page) => Promise.resolve(engine.queries.audit(page)) }];
    }
    return (await registry.connection(fleetId)).nodes.map(({ url, client }) => ({ url, read: (page) => client.audit(page) }));
  };
  const withWarnings = (entries: IntegrationEntry[]) =>
    entries.map((entry) => ({ ...entry, warnings: [...entry.warnings, ...senderWarnings(entry.scheme, entry.limits.dedupeWindowSeconds, entry.kill?.mode)] }));

  return {
    'fleets.add': (input) => registry.add(input),
    'fleets.update': (input) => registry.update(input),
    'fleets.list': () => registry.list(),
    'fleets.remove': async ({ id }) => ({ removed: await registry.remove(id) }),
    'fleets.test': async (input) => ({ nodes: await registry.test(input) }),
    'nodes.info': async ({ fleetId }) => {
      if (fleetId === LOCAL_FLEET_ID) throw new ConsoleError('not_applicable', 'the local receiver runs inside the console');
      const infos = await (await registry.connection(fleetId)).nodeInfo();
      return infos.map((answer) => ('info' in answer ? { url: answer.url, info: answer.info } : { url: answer.url, error: answer.error }));
    },
    'integrations.list': async ({ fleetId }) => {
      if (fleetId) return withWarnings(await (await fleet(fleetId)).integrations());
      // Across fleets, one that cannot answer (its session-only token is gone, every node is down)
      // is left out rather than failing the others: fleets.list names its problem.
      const ids = [...registry.fleets().map((entry) => entry.id), ...(local.status().running ? [LOCAL_FLEET_ID] : [])];
      const lists = await Promise.all(ids.map((id) => fleet(id).then((target) => target.integrations()).then(withWarnings, () => [])));
      return lists.flat();
    },
    'integrations.kill': async ({ fleetId, integrationId, mode, reason, nodeUrls }) => ({
      nodes: await (await fleet(fleetId)).fanOut({ kind: 'kill', integrationId, mode, reason }, nodeUrls),
    }),
    'integrations.resume': async ({ fleetId, integrationId, reason, held, nodeUrls }) => {
      const target = await fleet(fleetId);
      // Counted right before and after: the operator is told what happened to the held deliveries.
      const heldBefore = await heldCount(target, integrationId);
      const nodes = await target.fanOut({ kind: 'release', integrationId, reason, held }, nodeUrls);
      if (heldBefore === undefined || !nodes.some((node) => node.ok)) return { nodes };
      const heldAfter = (await heldCount(target, integrationId)) ?? 0;
      return { nodes, held: { disposition: held, count: Math.max(0, heldBefore - heldAfter) } };
    },
    'integrations.rotateSecret': async ({ fleetId, integrationId, secret: pasted, pending, overlapSeconds, keepCopy }) => {
      const target = await fleet(fleetId);
      const integration = (await target.integrations()).find((entry) => entry.id === integrationId);
      if (!integration) throw new ConsoleError('integration_not_found', `no integration "${integrationId}" in this fleet`);
      const mode = ROTATION_MODE[integration.scheme];
      if (mode === 'keys') throw new ConsoleError('not_rotatable', 'jws integrations verify with the sender\'s public keys (JWKS): rotate keys at the sender, and the node loads them');
      if (mode === 'paste' && pasted === undefined) {
        throw new ConsoleError('secret_required', `secret: ${integration.scheme} issues its own signing secret; paste the new one it gave`);
      }
      const secret = pasted ?? newSigningSecret(integration.scheme);
      const secretId = newSecretId(now());
      // The local receiver's senders are on this machine: its old secret's overlap starts at once.
      const waits = pending && fleetId !== LOCAL_FLEET_ID;
      const nodes = await target.fanOut({ kind: 'addSecret', integrationId, secretId, secret, overlapSeconds, pending: waits });
      if (nodes.every((node) => !node.ok)) {
        throw new ConsoleError('rotation_failed', `no node took the new secret: ${nodes.map((node) => `${node.url}: ${node.error ?? 'failed'}`).join('; ')}`);
      }
      if (keepCopy) await vault.keepSecret(fleetId, integrationId, secretId, secret);
      return {
        secretId,
        ...(pasted === undefined ? { secret } : {}),
        pending: waits,
        ...(waits ? {} : { expiresOld: new Date(now() + overlapSeconds * 1000).toISOString() }),
        nodes,
      };
    },
    'integrations.confirmSecret': async ({ fleetId, integrationId, secretId, overlapSeconds }) => {
      const nodes = await (await fleet(fleetId)).fanOut({ kind: 'confirmSecret', integrationId, secretId, overlapSeconds });
      if (nodes.every((node) => !node.ok)) {
        throw new ConsoleError('confirm_failed', `no node started the overlap: ${nodes.map((node) => `${node.url}: ${node.error ?? 'failed'}`).join('; ')}`);
      }
      return { expiresOld: new Date(now() + overlapSeconds * 1000).toISOString(), nodes };
    },
    'integrations.retireSecret': async ({ fleetId, integrationId, secretId }) => ({
      nodes: await (await fleet(fleetId)).fanOut({ kind: 'retireSecret', integrationId, secretId }),
    }),
    'deliveries.list': async ({ fleetId, integrationId, ...query }) => {
      const page = await (await fleet(fleetId)).deliveries({ integration: integrationId, ...query });
      return { deliveries: page.deliveries, nextCursor: page.nextCursor, errors: page.errors };
    },
    'deliveries.streams': () => Promise.resolve({ nodes: parts.streams() }),
    'deliveries.get': async ({ fleetId, nodeUrl, requestId }) => (await fleet(fleetId)).delivery(requestId, nodeUrl),
    'deliveries.raw': async ({ fleetId, nodeUrl, requestId }) => (await (await fleet(fleetId)).raw(requestId, nodeUrl)).raw,
    'deliveries.replay': (input) => replay.replay(input),
    'stats.get': async ({ fleetId, since, step }) => {
      const answers = await (await fleet(fleetId)).stats({ since, step });
      return answers.map((answer) => ('stats' in answer ? { url: answer.url, stats: answer.stats } : { url: answer.url, error: answer.error }));
    },
    'audit.list': async ({ fleetId }) => {
      const answers = await (await fleet(fleetId)).audit();
      return answers.map((answer) => ('audit' in answer ? { url: answer.url, audit: answer.audit } : { url: answer.url, error: answer.error }));
    },
    'alerts.list': () => Promise.resolve(alerts.list()),
    'alerts.acknowledge': ({ ids }) => Promise.resolve({ acknowledged: alerts.acknowledge(ids) }),
    'audit.timeline': async ({ fleetId, cursor, limit }) => auditTimeline(await auditSources(fleetId), cursor, limit),
    'deliveries.redrive': async ({ fleetId, integrationId, ...range }) => {
      if (fleetId === LOCAL_FLEET_ID) throw new ConsoleError('not_applicable', 'the local receiver sends nothing downstream: there is nothing to redrive');
      const targets: RedriveTarget[] = (await registry.connection(fleetId)).nodes.map(({ url, client }) => ({ url, redrive: (request) => client.redrive(request) }));
      return redriveFleet(targets, { integration: integrationId, ...range });
    },
    'localReceiver.status': () => Promise.resolve(withPort(local.status())),
    'localReceiver.start': async ({ port }) => {
      const status = await local.start(port ?? parts.localPort() ?? DEFAULT_LOCAL_PORT);
      // Port 0 (any free port) is for tests and one-offs: only a real choice is remembered.
      if (port !== undefined && port !== 0) await parts.rememberLocalPort(port);
      return withPort(status);
    },
    'localReceiver.secret': ({ integrationId }) => Promise.resolve(local.secret(integrationId)),
    'localReceiver.setSecret': ({ integrationId, secret }) => local.setSecret(integrationId, secret),
    'localReceiver.stop': async () => withPort(await local.stop()),
    'localReceiver.sendTest': (input) => local.sendTest(input),
  };
}

/** Deliveries held for the integration across the fleet's nodes that answer; undefined when none does. */
async function heldCount(target: ConsoleFleet, integrationId: string): Promise<number | undefined> {
  try {
    return (await target.integrations()).find((entry) => entry.id === integrationId)?.heldCount;
  } catch {
    return undefined;
  }
}
