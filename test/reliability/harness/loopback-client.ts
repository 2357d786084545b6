import { request } from 'node:http';

const TIMEOUT_MS = 20_000;

/**
 * One HTTP request from a chosen loopback address (all of 127/8 is local), so that a test can be
 * many senders at once. Resolves with the status, or 0 when the connection failed.
 */
export function requestFrom(
  localAddress: string,
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<number> {
  return new Promise((resolve) => {
    const outgoing = request(url, { method: options.method ?? 'POST', headers: options.headers, localAddress, agent: false, timeout: TIMEOUT_MS }, (response) => {
      response.resume();
      response.once('end', () => resolve(response.statusCode ?? 0));
      response.once('error', () => resolve(0));
    });
    outgoing.once('timeout', () => outgoing.destroy());
    outgoing.once('error', () => resolve(0));
    outgoing.end(options.body);
  });
}

/** 127.0.0.<n> for the n-th of many senders, wrapping within 127.0.<x>.0/24 blocks. */
export function loopbackAddress(index: number): string {
  return `127.0.${10 + Math.floor(index / 250)}.${1 + (index % 250)}`;
}
