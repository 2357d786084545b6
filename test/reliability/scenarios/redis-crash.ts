import { DeliveryLedger } from '../harness/delivery-ledger.js';
import { startFleet } from '../harness/fleet.js';
import { newStripeSecret, stripeDeliveries, stripeIntegration } from '../harness/outgoing.js';
import type { ReliabilityRow } from '../harness/reliability-row.js';
import { sendWithRetries } from '../harness/retrying-sender.js';
import { settledRow } from '../harness/settled-row.js';
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
    return await settledRow({
      name: 'Redis kill -9 and restart under traffic (fleet of two)',
      ledger,
      nodes: fleet.nodes,
      integration: 'pay',
      violations: missingFromStream.length > 0 ? [`${missingFromStream.length} acknowledged deliveries missing from the Redis stream`] : [],
      note: `${ledger.countOf(503)} × 503 while Redis was down, ${ledger.countOf(200)} answered 200 duplicate; stream holds ${inStream.size} events`,
      alsoTwice: twiceInStream,
    });
  } finally {
    await fleet.stop();
  }
}
