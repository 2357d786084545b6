import { DeliveryLedger } from '../harness/delivery-ledger.js';
import { newStripeSecret, stripeDeliveries, stripeIntegration } from '../harness/outgoing.js';
import { ReceiverNode, stopAll } from '../harness/receiver-node.js';
import type { ReliabilityRow } from '../harness/reliability-row.js';
import { sendWithRetries } from '../harness/retrying-sender.js';
import { settledRow } from '../harness/settled-row.js';
import { waitFor } from '../harness/wait-for.js';

const ROUNDS = 3;
const DELIVERIES = 900;
const KILL_EVERY = 220;

/** Three `kill -9` of one node (sync: full) under 32 concurrent senders, each restarted on the same store; senders retry what was not acknowledged. */
export async function singleNodeKillRounds(): Promise<ReliabilityRow> {
  const secret = newStripeSecret();
  const node = new ReceiverNode({ node: { id: 'solo' }, storage: { path: './data', sync: 'full' }, integrations: [stripeIntegration('pay', secret)] });
  const ledger = new DeliveryLedger();
  try {
    await node.start();
    const outgoing = await stripeDeliveries(secret, DELIVERIES);
    const sending = sendWithRetries(ledger, outgoing, {
      target: () => `${node.ingressUrl}/hooks/pay`,
      concurrency: 32,
      maxAttempts: 200,
      deadline: Date.now() + 120_000,
    });
    for (let round = 1; round <= ROUNDS; round++) {
      await waitFor(() => ledger.acknowledged().length >= round * KILL_EVERY, `${round * KILL_EVERY} acknowledgements before kill ${round}`, 60_000);
      await node.kill9();
      await node.start();
    }
    await sending;
    return await settledRow({
      name: `kill -9 of a single node, ${ROUNDS} rounds under traffic`,
      ledger,
      nodes: [node],
      integration: 'pay',
      violations: [],
      note: `${ledger.countOf(200)} retries answered 200 duplicate, ${ledger.countOf(0)} cut connections`,
    });
  } finally {
    await stopAll([node]);
  }
}
