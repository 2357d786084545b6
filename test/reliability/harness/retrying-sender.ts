import type { Delivery } from '../../helpers/signers.js';
import type { DeliveryLedger} from './delivery-ledger.js';
import { NO_ANSWER, isAcknowledgement } from './delivery-ledger.js';
import { pause } from './wait-for.js';

export interface Outgoing {
  /** The id the receiver dedupes on and reports as `deliveryId`. */
  readonly id: string;
  readonly delivery: Delivery;
}

export interface SendPlan {
  /** The URL for this attempt: a provider retries, and a load balancer may send the retry to another node. */
  readonly target: (index: number, attempt: number) => string;
  readonly concurrency: number;
  /** The sender gives up on a delivery after this many attempts or once the deadline passes. */
  readonly maxAttempts: number;
  readonly deadline: number;
}

const REQUEST_TIMEOUT_MS = 20_000;

/** Sends each delivery until it is acknowledged, as a provider does: retries on refusals and cut connections, with backoff. */
export async function sendWithRetries(ledger: DeliveryLedger, outgoing: readonly Outgoing[], plan: SendPlan): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < outgoing.length && Date.now() < plan.deadline) {
      const index = next++;
      const { id, delivery } = outgoing[index]!;
      for (let attempt = 0; attempt < plan.maxAttempts && Date.now() < plan.deadline; attempt++) {
        const status = await postStatus(plan.target(index, attempt), delivery);
        ledger.answer(id, status);
        if (isAcknowledgement(status)) break;
        await pause(Math.min(20 * (attempt + 1), 250));
      }
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency }, worker));
}

/** The status of one POST, or NO_ANSWER when the connection failed. */
export async function postStatus(url: string, delivery: Delivery, extraHeaders: Record<string, string> = {}): Promise<number> {
  try {
    const response = await fetch(`${url}${delivery.query ?? ''}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...delivery.headers, ...extraHeaders },
      body: delivery.body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return NO_ANSWER;
  }
}
