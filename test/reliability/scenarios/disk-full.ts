import { randomBytes } from 'node:crypto';
import { sign } from '../../helpers/signers.js';
import { DeliveryLedger } from '../harness/delivery-ledger.js';
import { newStripeSecret, stripeIntegration } from '../harness/outgoing.js';
import { ReceiverNode, stopAll } from '../harness/receiver-node.js';
import { skippedRow, type ReliabilityRow } from '../harness/reliability-row.js';
import { sendWithRetries, type Outgoing } from '../harness/retrying-sender.js';
import { mountSmallTmpfs } from '../harness/small-tmpfs.js';
import { settledRow } from '../harness/settled-row.js';

const NAME = 'disk full (8 MB tmpfs), then space freed';
const DISK_MB = 8;
const GROWN_MB = 64;
/**
 * 16 KB each, of hex, stored deflated at about 8.5 KB: more than 8 MB of captures alone, so the disk
 * fills whatever the WAL's size (600 fitted once 2 KB pages halved the WAL at its checkpoint size).
 */
const DELIVERIES = 1_000;

/**
 * The node's store on an 8 MB tmpfs: deliveries of 16 KB fill it; the node must refuse (503) what it
 * cannot store, stay up, and accept the senders' retries once the disk has room again.
 */
export async function diskFull(): Promise<ReliabilityRow> {
  const disk = mountSmallTmpfs(DISK_MB);
  if ('unavailable' in disk) return skippedRow(NAME, disk.unavailable);
  const secret = newStripeSecret();
  const node = new ReceiverNode({ node: { id: 'full' }, storage: { path: disk.path, sync: 'full' }, integrations: [stripeIntegration('pay', secret)] });
  try {
    await node.start();
    const outgoing: Outgoing[] = await Promise.all(
      Array.from({ length: DELIVERIES }, async (_, index) => {
        const id = `evt_full_${index}_${randomBytes(4).toString('hex')}`;
        return { id, delivery: await sign('stripe', { secret, body: JSON.stringify({ id, type: 'test.event', pad: randomBytes(8 * 1024).toString('hex') }) }) };
      }),
    );
    const ledger = new DeliveryLedger();
    const plan = { target: () => `${node.ingressUrl}/hooks/pay`, concurrency: 8 };
    // One try each while the disk fills: a provider's first attempt.
    await sendWithRetries(ledger, outgoing, { ...plan, maxAttempts: 1, deadline: Date.now() + 120_000 });
    const refusedWhileFull = ledger.countOf(503);
    const violations: string[] = [];
    if (refusedWhileFull === 0) violations.push(`the disk never filled: ${DELIVERIES} deliveries of 16 KB fit in ${DISK_MB} MB`);
    if (!node.running) violations.push(`the node ended on a full disk: ${node.output().slice(-300)}`);

    disk.grow(GROWN_MB);
    if (!node.running) await node.start();
    const unacknowledged = outgoing.filter(({ id }) => !ledger.isAcknowledged(id));
    await sendWithRetries(ledger, unacknowledged, { ...plan, maxAttempts: 100, deadline: Date.now() + 90_000 });
    return await settledRow({
      name: NAME,
      ledger,
      nodes: [node],
      integration: 'pay',
      violations,
      note: `${refusedWhileFull} × 503 while full, ${ledger.countOf(0)} cut connections, then retries once the disk grew to ${GROWN_MB} MB`,
    });
  } finally {
    await stopAll([node]);
    disk.remove();
  }
}
