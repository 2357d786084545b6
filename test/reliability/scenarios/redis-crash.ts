import { DeliveryLedger } from '../harness/delivery-ledger.js';
import { startFleet } from '../harness/fleet.js';
import { newStripeSecret, stripeDeliveries, stripeIntegration } from '../harness/outgoing.js';
import type { ReliabilityRow } from '../harness/reliability-row.js';
import { sendWithRetries } from '../harness/retrying-sender.js';
import { storedAcceptances } from '../harness/stored-deliveries.js';
import { streamEventCounts } from '../harness/stream-entries.js';
import { waitFor } from '../harness/wait-for.js';

const DELIVERIES = 1_000;

/** Redis is SIGKILLed under traffic to a fleet of two and restarted once the nodes refuse; senders retry what was refused. */
export async function redisCrash(): Promise<ReliabilityRow> {
  const secret = newStripeSecret();
  const fleet = await startFleet(2, [stripeIntegration('pay', secret)]);
  try {
    const ledger = new DeliveryLedger();
    const outgoing = await stripeDeliveries(secret, DELIVERIES);
    const sending = sendWithRetries(ledger, outgoing, {
      target: (index, attempt) => `${fleet.nodes[(index + attempt) % 2]!.ingressUrl}/hooks/pay`,
      concurrency: 24,
      maxAttempts: 400,
      deadline: Date.now() + 120_000,
    });
    await waitFor(() => ledger.acknowledged().length >= 300, '300 acknowledgements before Redis dies', 60_000);
    await fleet.redis.kill();
    await waitFor(() => ledger.countOf(503) >= 50, 'the nodes to refuse while Redis is down', 60_000);
    await fleet.redis.restart();
    await sending;

    const stored = await storedAcceptances(fleet.nodes, 'pay');
    const { lost, acceptedTwice } = ledger.settle(stored);
    // The nodes hand accepted deliveries to the stream after the 202, from their outbox: give them time to drain it.
    let inStream = new Map<string, number>();
    await waitFor(
      async () => {
        inStream = await streamEventCounts(fleet.redis.url, fleet.keyPrefix, 'pay');
        return ledger.acknowledged().every((id) => inStream.has(id));
      },
      'every acknowledged delivery in the Redis stream',
      30_000,
    ).catch(() => undefined);
    const missingFromStream = ledger.acknowledged().filter((id) => !inStream.has(id));
    const twiceInStream = [...inStream].filter(([, count]) => count > 1).map(([id]) => id);
    const unacknowledged = ledger.sent - ledger.acknowledged().length;
    const violations = [
      ...(unacknowledged > 0 ? [`${unacknowledged} deliveries never acknowledged after Redis came back`] : []),
      ...(missingFromStream.length > 0 ? [`${missingFromStream.length} acknowledged deliveries missing from the Redis stream`] : []),
    ];
    return {
      name: 'Redis kill -9 and restart under traffic (fleet of two)',
      sent: ledger.sent,
      acknowledged: ledger.acknowledged().length,
      rejected: ledger.rejected,
      lost: lost.length,
      acceptedTwice: new Set([...acceptedTwice, ...twiceInStream]).size,
      peakRssMib: Math.max(...fleet.nodes.map((node) => node.peakRssMib())),
      violations,
      note: `${ledger.countOf(503)} × 503 while Redis was down, ${ledger.countOf(200)} answered 200 duplicate; stream holds ${inStream.size} events${lost.length > 0 ? `; lost e.g. ${lost.slice(0, 2).join(', ')}` : ''}`,
    };
  } finally {
    await fleet.stop();
  }
}
