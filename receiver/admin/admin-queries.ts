import type { AuditLog, AuditQuery } from '../../shared/contract/admin-api.js';
import type { DeliveryFeed } from '../pipeline/delivery-feed.js';
import type { IntegrationRuntime } from '../pipeline/integration-runtime.js';
import { toDeliverySummary } from '../store/sqlite/delivery-queries.js';
import type { AdminQueries } from './admin-service.js';
import type { RuntimeViews } from './runtime-views.js';

export interface QueryParts {
  readonly nodeId: string;
  /** The delivery log, captures and statistics (SQLite on a single node). */
  readonly log: Pick<AdminQueries, 'deliveries' | 'delivery' | 'raw' | 'stats' | 'deliveriesAfter'>;
  readonly audit: { read(query?: Partial<AuditQuery>): AuditLog };
  readonly views: RuntimeViews;
  readonly integrations: readonly IntegrationRuntime[];
  readonly feed: DeliveryFeed;
  readonly now: () => number;
}

/** The admin API's read side, put together from the store, the runtime views and the live feed. */
export function composeAdminQueries(parts: QueryParts): AdminQueries {
  const { log, views, feed, nodeId, now } = parts;
  return {
    node: () => views.nodeInfo(now()),
    integrations: () => parts.integrations.map((runtime) => views.integration(runtime, now())),
    deliveries: (query) => log.deliveries(query),
    delivery: (requestId) => log.delivery(requestId),
    raw: (requestId) => log.raw(requestId),
    stats: (query) => log.stats(query),
    audit: (query) => parts.audit.read(query),
    deliveriesAfter: (seq, limit) => log.deliveriesAfter(seq, limit),
    subscribe: (listener) => feed.subscribe((record) => listener(toDeliverySummary(record, nodeId))),
  };
}
