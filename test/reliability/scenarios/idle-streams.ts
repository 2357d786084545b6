import type { Socket } from 'node:net';
import { connect } from 'node:net';
import { DeliveryLedger } from '../harness/delivery-ledger.js';
import { newStripeSecret, stripeDeliveries, stripeIntegration } from '../harness/outgoing.js';
import { ADMIN_TOKEN, ReceiverNode, stopAll } from '../harness/receiver-node.js';
import type { ReliabilityRow } from '../harness/reliability-row.js';
import { sendWithRetries } from '../harness/retrying-sender.js';
import { settledRow } from '../harness/settled-row.js';

const STREAMS = 2_000;
const OPEN_CONCURRENCY = 100;
const DELIVERIES = 100;
const ANSWER_TIMEOUT_MS = 30_000;

interface IdleStream {
  readonly socket: Socket;
  /** The status the node answered the stream request with, 0 if none came. */
  readonly status: number;
}

/**
 * 2,000 `/stream` clients that never read, held open while a sender delivers: the ingress must keep
 * serving, and the node must refuse streams beyond a ceiling (503) rather than take them all.
 */
export async function idleStreams(): Promise<ReliabilityRow> {
  const secret = newStripeSecret();
  const node = new ReceiverNode({ node: { id: 'streams' }, storage: { path: './data', sync: 'normal' }, integrations: [stripeIntegration('pay', secret)] });
  const streams: IdleStream[] = [];
  try {
    await node.start();
    const admin = new URL(node.adminUrl);
    const ledger = new DeliveryLedger();
    const outgoing = await stripeDeliveries(secret, DELIVERIES * 2);
    const deliver = async (from: number, to: number): Promise<number> => {
      const started = Date.now();
      await sendWithRetries(ledger, outgoing.slice(from, to), { target: () => `${node.ingressUrl}/hooks/pay`, concurrency: 8, maxAttempts: 50, deadline: Date.now() + 60_000 });
      return ((to - from) * 1000) / Math.max(1, Date.now() - started);
    };
    const bareRate = await deliver(0, DELIVERIES);

    let next = 0;
    await Promise.all(
      Array.from({ length: OPEN_CONCURRENCY }, async () => {
        while (next < STREAMS) {
          next++;
          streams.push(await openIdleStream(Number(admin.port)));
        }
      }),
    );
    const rateWithStreams = await deliver(DELIVERIES, DELIVERIES * 2);
    const opened = streams.filter((stream) => stream.status === 200).length;
    const refused = streams.filter((stream) => stream.status === 503).length;

    const violations: string[] = [];
    if (opened === STREAMS) violations.push(`all ${STREAMS} idle streams were taken: no ceiling`);
    if (!node.running) violations.push('the receiver process died');
    return await settledRow({
      name: `${STREAMS} idle SSE clients beside ingress traffic`,
      ledger,
      nodes: [node],
      integration: 'pay',
      violations,
      note: `streams: ${opened} opened, ${refused} refused with 503, ${STREAMS - opened - refused} other; ingress ${bareRate.toFixed(0)}/s alone, ${rateWithStreams.toFixed(0)}/s beside the streams (8 senders, not a benchmark)`,
    });
  } finally {
    for (const stream of streams) stream.socket.destroy();
    await stopAll([node]);
  }
}

/** Opens `/admin/v1/stream` and stops reading once the status line is in: an idle (or stalled) dashboard. */
function openIdleStream(port: number): Promise<IdleStream> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let received = '';
    const settle = (status: number): void => {
      clearTimeout(timer);
      socket.removeAllListeners('data');
      socket.pause();
      resolve({ socket, status });
    };
    const timer = setTimeout(() => settle(0), ANSWER_TIMEOUT_MS);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(received);
      if (status) settle(Number(status[1]));
    });
    socket.once('error', () => settle(0));
    socket.once('connect', () => socket.write(`GET /admin/v1/stream HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\nAccept: text/event-stream\r\n\r\n`));
  });
}
