import type { IntegrationEntry } from '../../../../shared/contract/console.js';

export interface InventoryFilter {
  readonly text: string;
  readonly status: 'all' | 'active' | 'killed' | 'held';
}

export type SortKey = 'fleet' | 'id' | 'scheme' | 'status' | 'failureRate';

const DAY_MS = 86_400_000;
/** Secrets older than this are flagged: long-lived secrets are how leaks go unnoticed. */
export const OLD_SECRET_DAYS = 90;

export function failureRate(entry: IntegrationEntry): number {
  const { total, rejected } = entry.counts24h;
  return total === 0 ? 0 : rejected / total;
}

export function oldestSecretDays(entry: IntegrationEntry, now: number): number {
  const active = entry.secrets.filter((secret) => secret.state === 'active' || secret.state === 'expiring');
  if (active.length === 0) return 0;
  return Math.floor((now - Math.min(...active.map((secret) => Date.parse(secret.createdAt)))) / DAY_MS);
}

/** The inventory as shown: filtered by status and text (id, path, scheme, fleet), then sorted. */
export function inventoryRows(entries: readonly IntegrationEntry[], filter: InventoryFilter, sort: SortKey): IntegrationEntry[] {
  const text = filter.text.trim().toLowerCase();
  const rows = entries.filter(
    (entry) =>
      (filter.status === 'all' || entry.status === filter.status) &&
      (text === '' || [entry.id, entry.path, entry.scheme, entry.fleetId].some((field) => field.toLowerCase().includes(text))),
  );
  const value = (entry: IntegrationEntry): string | number =>
    sort === 'failureRate' ? -failureRate(entry) : sort === 'fleet' ? entry.fleetId : sort === 'status' ? entry.status : entry[sort];
  return rows.sort((a, b) => {
    const left = value(a);
    const right = value(b);
    return left < right ? -1 : left > right ? 1 : a.id.localeCompare(b.id);
  });
}
