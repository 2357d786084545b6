import type { DemoIntegration, ProviderEvent } from './demo-integrations.js';
import { signAs } from './provider-signers.js';

/** One request exactly as it goes on the wire, kept so that it can be sent again (a replay). */
export interface WireRequest {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface SendOptions {
  /** The address the load balancer reports for the sender (X-Forwarded-For). */
  readonly from?: string;
  /** Sign with this secret instead of the integration's current one. */
  readonly secret?: string;
  /** Seconds added to the sender's clock on top of its usual skew. */
  readonly clockOffsetSeconds?: number;
  /** What a component between sender and node does to the signed body. */
  readonly alterBody?: (body: string) => string;
  /** Leave the signature headers out, as a misconfigured client does. */
  readonly unsigned?: boolean;
}

/** Builds a provider's signed request for `event`, as the sender (and anything on its way) would send it. */
export async function signedRequest(ingressUrl: string, integration: DemoIntegration, event: ProviderEvent, options: SendOptions = {}): Promise<WireRequest> {
  const timestamp = Math.floor(Date.now() / 1000) + integration.clockSkewSeconds + (options.clockOffsetSeconds ?? 0);
  const signature = options.unsigned ? {} : await signAs(integration.provider, { secret: options.secret ?? integration.secret, body: event.body, timestamp, id: event.id });
  return {
    url: `${ingressUrl}/hooks/${integration.id}`,
    headers: { 'content-type': 'application/json', 'x-forwarded-for': options.from ?? integration.senderAddress, ...event.headers, ...signature },
    body: options.alterBody ? options.alterBody(event.body) : event.body,
  };
}

/** POSTs the request; the node's status, or 0 when it could not be reached (a node stopped under the demo). */
export async function send(request: WireRequest): Promise<number> {
  try {
    const response = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body, signal: AbortSignal.timeout(10_000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}
