import type { DeliveryPage, DeliverySummary } from '../../../../shared/contract/admin-api.js';

export interface NodePage {
  readonly url: string;
  readonly page: DeliveryPage;
}

export interface MergedPage {
  readonly deliveries: readonly { readonly url: string; readonly delivery: DeliverySummary }[];
  /** Per node that answered: where its listing continues (`null`: nothing older); absent: unchanged. */
  readonly next: Readonly<Record<string, string | null>>;
}

/**
 * Merges newest-first pages of several nodes into one newest-first page of `limit`. A k-way merge
 * by `receivedAt`: each node's entries are taken as a prefix of its own page, in its own order,
 * which is what lets a node's cursor continue exactly after the last entry shown (a node cursor is
 * "everything older than this seq"). A node's page can only run out when all `limit` entries came
 * from it, so nothing newer can be waiting on its next page.
 */
export function mergePages(pages: readonly NodePage[], limit: number): MergedPage {
  const positions = pages.map(() => 0);
  const deliveries: { url: string; delivery: DeliverySummary }[] = [];
  while (deliveries.length < limit) {
    let best = -1;
    let bestTime = Number.NEGATIVE_INFINITY;
    pages.forEach(({ page }, index) => {
      const head = page.deliveries[positions[index] ?? 0];
      if (!head) return;
      const time = Date.parse(head.receivedAt);
      // Ties go to the node listed first: a stable order from page to page.
      if (best < 0 || time > bestTime) {
        best = index;
        bestTime = time;
      }
    });
    const chosen = pages[best];
    if (!chosen) break;
    const position = positions[best] ?? 0;
    deliveries.push({ url: chosen.url, delivery: chosen.page.deliveries[position] as DeliverySummary });
    positions[best] = position + 1;
  }
  const next: Record<string, string | null> = {};
  pages.forEach(({ url, page }, index) => {
    const taken = positions[index] ?? 0;
    if (taken === page.deliveries.length) next[url] = page.nextCursor;
    else if (taken > 0) next[url] = String((page.deliveries[taken - 1] as DeliverySummary).seq);
  });
  return { deliveries, next };
}
