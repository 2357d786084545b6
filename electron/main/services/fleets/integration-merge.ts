import type { IntegrationView } from '../../../../shared/contract/admin-api.js';
import type { IntegrationEntry } from '../../../../shared/contract/console.js';

/** One node's inventory, or why it has none. */
export type NodeInventory = { readonly url: string; readonly integrations: readonly IntegrationView[] } | { readonly url: string; readonly error: string };

/**
 * Merges every node's inventory into one entry per integration. The shown state is the first
 * node's (in the fleet's order) that has it; counts and held deliveries are summed (each node
 * logs what it received itself); `nodes` lists every node's status and live secret ids, and
 * `warnings` says in words where nodes disagree or did not answer, so drift is never averaged away.
 * Nodes without the integration appear as `missing`, nodes that did not answer as `unreachable`.
 */
export function mergeInventories(fleetId: string, inventories: readonly NodeInventory[]): IntegrationEntry[] {
  const ids: string[] = [];
  for (const inventory of inventories) {
    if (!('integrations' in inventory)) continue;
    for (const view of inventory.integrations) if (!ids.includes(view.id)) ids.push(view.id);
  }
  return ids.map((id) => {
    const perNode = inventories.map((inventory) => ({
      inventory,
      view: 'integrations' in inventory ? inventory.integrations.find((candidate) => candidate.id === id) : undefined,
    }));
    const present = perNode.flatMap(({ view }) => (view ? [view] : []));
    const base = present[0] as IntegrationView;
    const nodes = perNode.map(({ inventory, view }) => ({
      url: inventory.url,
      status: view ? view.status : 'error' in inventory ? 'unreachable' : 'missing',
      secretIds: view ? liveSecretIds(view) : [],
    }));
    return {
      ...base,
      heldCount: sum(present.map((view) => view.heldCount)),
      counts24h: {
        total: sum(present.map((view) => view.counts24h.total)),
        accepted: sum(present.map((view) => view.counts24h.accepted)),
        rejected: sum(present.map((view) => view.counts24h.rejected)),
        duplicate: sum(present.map((view) => view.counts24h.duplicate)),
      },
      lastDeliveryAt: latest(present.map((view) => view.lastDeliveryAt)),
      fleetId,
      nodes,
      warnings: driftWarnings(perNode.map(({ inventory, view }) => ({ inventory, view }))),
    };
  });
}

function driftWarnings(perNode: readonly { inventory: NodeInventory; view: IntegrationView | undefined }[]): string[] {
  const warnings: string[] = [];
  const answered = perNode.filter(({ inventory }) => 'integrations' in inventory);
  const missing = answered.filter(({ view }) => !view).map(({ inventory }) => inventory.url);
  if (missing.length > 0) warnings.push(`not configured on ${missing.join(', ')}`);
  const present = answered.flatMap(({ inventory, view }) => (view ? [{ url: inventory.url, view }] : []));
  if (new Set(present.map(({ view }) => view.status)).size > 1) {
    warnings.push(`nodes disagree on the status: ${present.map(({ url, view }) => `${url} ${view.status}`).join(', ')}`);
  }
  if (new Set(present.map(({ view }) => liveSecretIds(view).sort().join(','))).size > 1) {
    warnings.push(`nodes hold different secrets: ${present.map(({ url, view }) => `${url} [${liveSecretIds(view).join(', ')}]`).join(', ')}`);
  }
  for (const { inventory } of perNode) {
    if ('error' in inventory) warnings.push(`no answer from ${inventory.url}: ${inventory.error}`);
  }
  return warnings;
}

/** Secrets a delivery may still be signed with: the ones that matter when comparing nodes. */
function liveSecretIds(view: IntegrationView): string[] {
  return view.secrets.filter((secret) => secret.state === 'active' || secret.state === 'expiring').map((secret) => secret.id);
}

const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);

function latest(values: readonly (string | null)[]): string | null {
  let best: string | null = null;
  for (const value of values) if (value !== null && (best === null || Date.parse(value) > Date.parse(best))) best = value;
  return best;
}
