import { deliveryPage } from '../../../shared/contract/admin-api.js';
import { ADMIN_TOKEN, type ReceiverNode } from './receiver-node.js';

const PAGE = 500;
const MAX_PAGES = 400;

/**
 * How many times each delivery id is stored as accepted (or held), over every node, read through
 * each node's admin API: the contract, so the check does not depend on how a node lays out its store.
 */
export async function storedAcceptances(nodes: readonly ReceiverNode[], integration: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const node of nodes) {
    for (const id of await acceptedIds(node.adminUrl, integration)) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

async function acceptedIds(adminUrl: string, integration: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const search = new URLSearchParams({ integration, outcome: 'accepted,held', limit: String(PAGE) });
    if (cursor) search.set('cursor', cursor);
    const response = await fetch(`${adminUrl}/admin/v1/deliveries?${search}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    if (!response.ok) throw new Error(`GET /deliveries on ${adminUrl} answered ${response.status}: ${await response.text()}`);
    const body = deliveryPage.parse(await response.json());
    for (const delivery of body.deliveries) if (delivery.deliveryId) ids.push(delivery.deliveryId);
    cursor = body.nextCursor;
    if (!cursor) return ids;
  }
  throw new Error(`more than ${MAX_PAGES * PAGE} accepted deliveries on ${adminUrl}: the suite sends far fewer`);
}
