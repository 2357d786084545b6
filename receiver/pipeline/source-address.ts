import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { unmapIPv4, type AddressList } from './address-list.js';

/**
 * The address the request came from. `X-Forwarded-For` is honoured only when the peer is a trusted
 * proxy, and then read from the right: each trusted hop vouches for the one before it, and the
 * first untrusted address is the client. Anything left of it could have been written by the client.
 */
export function sourceAddress(request: IncomingMessage, trustedProxies: AddressList | undefined): string {
  const peer = unmapIPv4(request.socket.remoteAddress ?? '');
  if (!trustedProxies || !trustedProxies.has(peer)) return peer;
  const forwarded = request.headers['x-forwarded-for'];
  if (forwarded === undefined) return peer;
  const hops = (Array.isArray(forwarded) ? forwarded.join(',') : forwarded).split(',');
  let client = peer;
  for (let index = hops.length - 1; index >= 0; index--) {
    const hop = unmapIPv4((hops[index] ?? '').trim());
    if (isIP(hop) === 0) return client;
    client = hop;
    if (!trustedProxies.has(hop)) return hop;
  }
  return client;
}
