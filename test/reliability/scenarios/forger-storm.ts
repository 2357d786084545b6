import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { sign } from '../../helpers/signers.js';
import { DeliveryLedger } from '../harness/delivery-ledger.js';
import { directoryBytes } from '../harness/directory-bytes.js';
import { loopbackAddress, requestFrom } from '../harness/loopback-client.js';
import { newStripeSecret, stripeDeliveries, stripeIntegration } from '../harness/outgoing.js';
import { ReceiverNode, stopAll } from '../harness/receiver-node.js';
import type { ReliabilityRow } from '../harness/reliability-row.js';
import { sendWithRetries } from '../harness/retrying-sender.js';
import { settledRow } from '../harness/settled-row.js';
import { waitFor } from '../harness/wait-for.js';

const FORGERS = 20;
const FORGERIES = 600;
const FORGED_BODY_BYTES = 32 * 1024;
const LEGITIMATE = 100;
/** A forged request may leave a log record and a small capture, not its body: a quarter of what was sent is already generous. */
const MAX_STORED_SHARE = 0.25;
/** Room for every legitimate delivery at once, not for the forgeries as well. */
const RATE_BURST = 300;

/**
 * Twenty forgers on their own loopback addresses retry 32 KB deliveries with bad signatures
 * without pause against the integration a legitimate sender uses at a modest pace. The forgers
 * must not spend the integration's rate limit nor fill the disk with their bodies.
 */
export async function forgerStorm(): Promise<ReliabilityRow> {
  const secret = newStripeSecret();
  const node = new ReceiverNode({
    node: { id: 'storm' },
    storage: { path: './data', sync: 'full' },
    integrations: [{ ...stripeIntegration('pay', secret), rateLimit: { perSecond: 1, burst: RATE_BURST } }],
  });
  try {
    await node.start();
    const url = `${node.ingressUrl}/hooks/pay`;
    const storeBefore = directoryBytes(join(node.dir, 'data'));
    const forged = await sign('stripe', { secret: newStripeSecret(), body: JSON.stringify({ id: 'evt_forged', pad: randomBytes(FORGED_BODY_BYTES / 2).toString('hex') }) });
    const forgeryStatuses = new Map<number, number>();
    let next = 0;
    let forging = true;
    const forgers = Promise.all(
      Array.from({ length: FORGERS }, async (_, forger) => {
        while (next < FORGERIES) {
          next++;
          const status = await requestFrom(loopbackAddress(forger), url, { headers: { 'content-type': 'application/json', ...forged.headers }, body: forged.body });
          forgeryStatuses.set(status, (forgeryStatuses.get(status) ?? 0) + 1);
        }
      }),
    ).finally(() => (forging = false));

    // The legitimate sender joins once the forgers have sent as many as the bucket holds, so a bucket
    // that forgers can spend is empty by then, whatever the machine's speed.
    await waitFor(() => [...forgeryStatuses.values()].reduce((sum, count) => sum + count, 0) >= RATE_BURST, 'the first forgeries', 60_000);
    const ledger = new DeliveryLedger();
    const legitimate = await stripeDeliveries(secret, LEGITIMATE);
    await sendWithRetries(ledger, legitimate, { target: () => url, concurrency: 4, maxAttempts: 20, deadline: Date.now() + 20_000 });
    const legitimateDuringStorm = forging;
    await forgers;
    const storedBytes = Math.max(0, directoryBytes(join(node.dir, 'data')) - storeBefore);

    const violations: string[] = [];
    const forgedAccepted = (forgeryStatuses.get(202) ?? 0) + (forgeryStatuses.get(200) ?? 0);
    if (forgedAccepted > 0) violations.push(`${forgedAccepted} forgeries acknowledged`);
    if (ledger.countOf(429) > 0) violations.push(`the legitimate sender got ${ledger.countOf(429)} × 429: forgers spent the integration's rate limit`);
    if (storedBytes > FORGERIES * FORGED_BODY_BYTES * MAX_STORED_SHARE) {
      violations.push(`the store grew by ${mib(storedBytes)} MiB for ${mib(FORGERIES * FORGED_BODY_BYTES)} MiB of forged bodies`);
    }
    if (!node.running) violations.push('the receiver process died');
    const row = await settledRow({
      name: `retry storm of ${FORGERS} forgers beside a legitimate sender`,
      ledger,
      nodes: [node],
      integration: 'pay',
      violations,
      note: `forgeries: ${[...forgeryStatuses].map(([status, count]) => `${count} × ${status || 'no answer'}`).join(', ')}; legitimate: ${ledger.countOf(202)} × 202, ${ledger.countOf(429)} × 429${
        legitimateDuringStorm ? '' : ' (finished after the storm)'
      }; store grew ${mib(storedBytes)} MiB`,
    });
    return { ...row, sent: row.sent + FORGERIES, rejected: row.rejected + FORGERIES - forgedAccepted };
  } finally {
    await stopAll([node]);
  }
}

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}
