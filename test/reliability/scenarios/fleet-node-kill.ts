import { DeliveryLedger } from '../harness/delivery-ledger.js';
import { startFleet } from '../harness/fleet.js';
import { newStripeSecret, stripeDeliveries, stripeIntegration } from '../harness/outgoing.js';
import type { ReliabilityRow } from '../harness/reliability-row.js';
import { postStatus, sendWithRetries } from '../harness/retrying-sender.js';
import { settledRow } from '../harness/settled-row.js';
import { waitFor } from '../harness/wait-for.js';

const KILLS = 3;
const DELIVERIES = 1_500;
const KILL_EVERY = 350;

/**
 * Two nodes on one Redis; node 0 is killed with SIGKILL three times under 48 concurrent senders
 * whose retries go to the other node. Then every delivery is replayed to every node: each answer
 * must be a duplicate (or a refusal), never a second 202.
 */
export async function fleetNodeKillAndReplay(): Promise<ReliabilityRow[]> {
  const secret = newStripeSecret();
  const fleet = await startFleet(2, [stripeIntegration('pay', secret)]);
  const victim = fleet.nodes[0]!;
  try {
    const ledger = new DeliveryLedger();
    const outgoing = await stripeDeliveries(secret, DELIVERIES);
    const sending = sendWithRetries(ledger, outgoing, {
      target: (index, attempt) => `${fleet.nodes[(index + attempt) % 2]!.ingressUrl}/hooks/pay`,
      concurrency: 48,
      maxAttempts: 200,
      deadline: Date.now() + 120_000,
    });
    for (let kill = 1; kill <= KILLS; kill++) {
      await waitFor(() => ledger.acknowledged().length >= kill * KILL_EVERY, `${kill * KILL_EVERY} acknowledgements before kill ${kill}`, 60_000);
      await victim.kill9();
      await victim.start();
    }
    await sending;
    const killRow = await settledRow({
      name: `kill -9 of one node in a fleet of two (Redis), ${KILLS} times, retries to the other node`,
      ledger,
      nodes: fleet.nodes,
      integration: 'pay',
      violations: [],
      note: `${ledger.countOf(200)} answered 200 duplicate, ${ledger.countOf(503)} × 503, ${ledger.countOf(0)} cut connections`,
    });

    const replays = new DeliveryLedger();
    const replayStatuses = new Map<number, number>();
    const acceptedAgain = new Set<string>();
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < outgoing.length) {
          const { id, delivery } = outgoing[next++]!;
          for (const node of fleet.nodes) {
            const status = await postStatus(`${node.ingressUrl}/hooks/pay`, delivery);
            replays.answer(id, status);
            if (status === 202) acceptedAgain.add(id);
            replayStatuses.set(status, (replayStatuses.get(status) ?? 0) + 1);
          }
        }
      }),
    );
    // Every delivery was acknowledged (so stored) by the first pass: a replay answered 202 accepts it a second time.
    const replayRow = await settledRow({
      name: 'replay of every delivery to every node',
      ledger: replays,
      nodes: fleet.nodes,
      integration: 'pay',
      violations: [],
      note: `answers: ${[...replayStatuses].map(([status, count]) => `${count} × ${status || 'no answer'}`).join(', ')}`,
      alsoTwice: acceptedAgain,
    });
    return [killRow, { ...replayRow, sent: outgoing.length * fleet.nodes.length }];
  } finally {
    await fleet.stop();
  }
}
