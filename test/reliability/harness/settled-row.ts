import type { DeliveryLedger } from './delivery-ledger.js';
import type { ReceiverNode } from './receiver-node.js';
import type { ReliabilityRow } from './reliability-row.js';
import { storedAcceptances } from './stored-deliveries.js';

export interface SettledRowInput {
  readonly name: string;
  readonly ledger: DeliveryLedger;
  /** Every node that may hold the deliveries; a node that is not running holds none the suite can see. */
  readonly nodes: readonly ReceiverNode[];
  readonly integration: string;
  readonly violations: readonly string[];
  readonly note: string;
  /** Delivery ids found accepted twice elsewhere (a downstream queue). */
  readonly alsoTwice?: Iterable<string>;
}

/**
 * A row from what the senders were told, set against what the nodes stored. Senders retry until
 * acknowledged, so a delivery never acknowledged is a violation of its own.
 */
export async function settledRow(input: SettledRowInput): Promise<ReliabilityRow> {
  const { ledger, nodes } = input;
  const stored = await storedAcceptances(nodes.filter((node) => node.running), input.integration);
  const { lost, acceptedTwice } = ledger.settle(stored);
  const unacknowledged = ledger.sent - ledger.acknowledged().length;
  return {
    name: input.name,
    sent: ledger.sent,
    acknowledged: ledger.acknowledged().length,
    rejected: ledger.rejected,
    lost: lost.length,
    acceptedTwice: new Set([...acceptedTwice, ...(input.alsoTwice ?? [])]).size,
    peakRssMib: Math.max(0, ...nodes.map((node) => node.peakRssMib())),
    violations: [...input.violations, ...(unacknowledged > 0 ? [`${unacknowledged} deliveries never acknowledged`] : [])],
    note: `${input.note}${lost.length > 0 ? `; lost e.g. ${lost.slice(0, 2).join(', ')}` : ''}`,
  };
}
