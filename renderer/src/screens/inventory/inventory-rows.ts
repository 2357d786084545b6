import type { IntegrationEntry } from '../../../../shared/contract/console.js';

export interface InventoryFilter {
  readonly text: string;
  readonly status: 'all' | 'active' | 'killed' | 'held';
  readonly fleetId: string;
  /** Only integrations that need a look: warnings, drift, old secrets, failures or not active. */
  readonly attentionOnly: boolean;
}

export const NO_INVENTORY_FILTER: InventoryFilter = { text: '', status: 'all', fleetId: 'all', attentionOnly: false };

export const SORT_KEYS = ['fleet', 'id', 'status', 'secretAge', 'deliveries', 'failureRate', 'lastDelivery'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export interface Sort {
  readonly key: SortKey;
  readonly descending: boolean;
}

const DAY_MS = 86_400_000;
/** Secrets older than this are flagged: long-lived secrets are how leaks go unnoticed. */
export const OLD_SECRET_DAYS = 90;
/** A failure rate above this is shown as a problem, not just a number. */
export const HIGH_FAILURE_RATE = 0.05;

/** How many of the fleet's nodes the entry's counts come from: the ones that did not answer are missing from them. */
export function answeredNodes(entry: IntegrationEntry): { answered: number; total: number } {
  return { answered: entry.nodes.filter((node) => node.status !== 'unreachable').length, total: entry.nodes.length };
}

export function failureRate(entry: IntegrationEntry): number {
  const { total, rejected } = entry.counts24h;
  return total === 0 ? 0 : rejected / total;
}

/** Whole days since `createdAt`; never negative, though a node's clock may run a little ahead of ours. */
export function secretAgeDays(createdAt: number, now: number): number {
  return Math.max(0, Math.floor((now - createdAt) / DAY_MS));
}

/** Age in days of the oldest secret a sender may still sign with; null when none is left. */
export function oldestSecretDays(entry: IntegrationEntry, now: number): number | null {
  const live = entry.secrets.filter((secret) => secret.state === 'active' || secret.state === 'expiring');
  if (live.length === 0) return null;
  return secretAgeDays(Math.min(...live.map((secret) => Date.parse(secret.createdAt))), now);
}

/**
 * Where the nodes of a fleet disagree about this integration, in short words: a node that lacks it
 * or did not answer, a different status, a different set of secrets. Empty when they agree.
 */
export function nodeDrift(entry: IntegrationEntry): string[] {
  const host = (url: string) => url.replace(/^https?:\/\//, '');
  const found: string[] = [];
  for (const node of entry.nodes) {
    if (node.status === 'missing') found.push(`missing on ${host(node.url)}`);
    else if (node.status === 'unreachable') found.push(`${host(node.url)} did not answer`);
  }
  const present = entry.nodes.filter((node) => node.status !== 'missing' && node.status !== 'unreachable');
  const statuses = new Set(present.map((node) => node.status));
  if (statuses.size > 1) found.push(`status differs: ${present.map((node) => `${host(node.url)} ${node.status}`).join(', ')}`);
  const secretSets = new Set(present.map((node) => [...node.secretIds].sort().join(',')));
  if (secretSets.size > 1) found.push(`secrets differ: ${present.map((node) => `${host(node.url)} [${node.secretIds.join(', ')}]`).join(', ')}`);
  return found;
}

export function needsAttention(entry: IntegrationEntry, now: number): boolean {
  const age = oldestSecretDays(entry, now);
  return (
    entry.status !== 'active' ||
    entry.warnings.length > 0 ||
    nodeDrift(entry).length > 0 ||
    (age !== null && age > OLD_SECRET_DAYS) ||
    failureRate(entry) > HIGH_FAILURE_RATE
  );
}

function sortValue(entry: IntegrationEntry, key: SortKey, now: number): string | number {
  switch (key) {
    case 'fleet':
      return entry.fleetId;
    case 'id':
    case 'status':
      return entry[key];
    case 'secretAge':
      return oldestSecretDays(entry, now) ?? -1;
    case 'deliveries':
      return entry.counts24h.total;
    case 'failureRate':
      return failureRate(entry);
    case 'lastDelivery':
      return entry.lastDeliveryAt ?? '';
  }
}

/** The inventory as shown: filtered by fleet, status, attention and text (id, path, scheme, fleet name), then sorted. */
export function inventoryRows(
  entries: readonly IntegrationEntry[],
  filter: InventoryFilter,
  sort: Sort,
  options: { now: number; fleetName?: (fleetId: string) => string } = { now: Date.now() },
): IntegrationEntry[] {
  const text = filter.text.trim().toLowerCase();
  const fleetName = options.fleetName ?? ((fleetId: string) => fleetId);
  const rows = entries.filter(
    (entry) =>
      (filter.fleetId === 'all' || entry.fleetId === filter.fleetId) &&
      (filter.status === 'all' || entry.status === filter.status) &&
      (!filter.attentionOnly || needsAttention(entry, options.now)) &&
      (text === '' || [entry.id, entry.path, entry.scheme, entry.fleetId, fleetName(entry.fleetId)].some((field) => field.toLowerCase().includes(text))),
  );
  const direction = sort.descending ? -1 : 1;
  return rows.sort((a, b) => {
    const left = sortValue(a, sort.key, options.now);
    const right = sortValue(b, sort.key, options.now);
    if (left !== right) return (left < right ? -1 : 1) * direction;
    return a.fleetId.localeCompare(b.fleetId) || a.id.localeCompare(b.id);
  });
}
