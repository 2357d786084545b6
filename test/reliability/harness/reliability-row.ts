/** One line of the reliability summary: what a fault or an attack did to the deliveries sent through it. */
export interface ReliabilityRow {
  readonly name: string;
  /** Deliveries (or attack requests) sent, each counted once however often it was retried. */
  readonly sent: number;
  /** Deliveries a sender was told were taken: 202 accepted, or 200 duplicate. */
  readonly acknowledged: number;
  /** Answers that refused a request (4xx, 5xx, or a closed connection). */
  readonly rejected: number;
  /** Acknowledged, yet no node has it. */
  readonly lost: number;
  /** Stored or acknowledged as accepted more than once for the same delivery id. */
  readonly acceptedTwice: number;
  /** The highest resident set size of any process under test in this row, in MiB. */
  readonly peakRssMib: number;
  /** Broken promises other than loss and double acceptance (a forgery let in, a process gone); the row fails on any. */
  readonly violations: readonly string[];
  /** Figures worth reading beside the counts (rates, what was refused and how). */
  readonly note: string;
  /** Set when the row could not run here; the row then counts as passed. */
  readonly skipped?: string;
}

export function skippedRow(name: string, reason: string): ReliabilityRow {
  return { name, sent: 0, acknowledged: 0, rejected: 0, lost: 0, acceptedTwice: 0, peakRssMib: 0, violations: [], note: '', skipped: reason };
}
