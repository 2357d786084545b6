import type { RedriveRequest, RedriveResult } from '../../../../shared/contract/admin-api.js';
import type { CommandResult } from '../../../../shared/contract/console.js';

/** One node that can redrive what it captured. */
export interface RedriveTarget {
  readonly url: string;
  redrive(request: RedriveRequest): Promise<RedriveResult>;
}

export type FleetRedrive = CommandResult<'deliveries.redrive'>;

/**
 * Sends one redrive request to every node of a fleet: each node holds its own captures, so each
 * re-enqueues its own, once (the request is never retried: a lost answer is reported, not resent).
 * Totals count the nodes that answered; a node that failed is in `nodes` with its error.
 */
export async function redriveFleet(targets: readonly RedriveTarget[], request: RedriveRequest): Promise<FleetRedrive> {
  const nodes: FleetRedrive['nodes'] = await Promise.all(
    targets.map((target) =>
      target.redrive(request).then(
        (result): FleetRedrive['nodes'][number] => ({ url: target.url, ok: true, matched: result.matched, requeued: result.requeued }),
        (error: unknown) => ({ url: target.url, ok: false, error: error instanceof Error ? error.message : 'the node did not answer' }),
      ),
    ),
  );
  const sum = (key: 'matched' | 'requeued') => nodes.reduce((total, node) => total + (node[key] ?? 0), 0);
  return { dryRun: request.dryRun ?? false, matched: sum('matched'), requeued: sum('requeued'), nodes };
}
