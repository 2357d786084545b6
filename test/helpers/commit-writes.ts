import type { DeliveryWrite } from '../../receiver/store/delivery-record.js';
import type { LogWriter } from '../../receiver/store/sqlite/log-writer.js';
import { packBatch } from '../../receiver/store/sqlite/packed-batch.js';

/** Commits writes as the writer thread does (one packed batch, one transaction); resolves to their seqs, in order. */
export function commitWrites(writer: LogWriter, writes: readonly DeliveryWrite[]): number[] {
  const first = writer.commitPacked(packBatch(writes));
  return writes.map((_, index) => first + index);
}
