import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ReceiverConfig } from '../../shared/contract/receiver-config.js';

export type HealthProbe = () => { readonly ready: boolean; readonly detail: Record<string, unknown> };

/**
 * The public listener. Its limits are what keeps a slow or hostile client from holding resources:
 * headers must arrive within `headersTimeoutMs`, the whole request within `requestTimeoutMs`,
 * header bytes are capped by node's 16 KiB default, and sockets are recycled after
 * `maxRequestsPerSocket` requests.
 */
export function createIngressServer(
  ingress: ReceiverConfig['ingress'],
  handle: (request: IncomingMessage, response: ServerResponse) => void,
  health: HealthProbe,
): Server {
  const server = createServer(
    {
      headersTimeout: ingress.headersTimeoutMs,
      requestTimeout: ingress.requestTimeoutMs,
      keepAliveTimeout: ingress.keepAliveTimeoutMs,
      maxHeaderSize: 16 * 1024,
      // Node checks the header and request timeouts on this interval (30 s by default), so a
      // slowloris client would otherwise hold its socket far past headersTimeout.
      connectionsCheckingInterval: Math.min(1000, ingress.headersTimeoutMs),
    },
    (request, response) => {
      if (request.method === 'GET' && (request.url === '/healthz' || request.url === '/readyz')) {
        return answerHealth(request.url, health, response);
      }
      handle(request, response);
    },
  );
  server.maxRequestsPerSocket = ingress.maxRequestsPerSocket;
  server.maxConnections = ingress.maxConnections;
  return server;
}

export function answerHealth(path: '/healthz' | '/readyz', health: HealthProbe, response: ServerResponse): void {
  const state = path === '/healthz' ? { ready: true, detail: {} } : health();
  const body = JSON.stringify({ status: state.ready ? 'ok' : 'unavailable', ...state.detail });
  response.writeHead(state.ready ? 200 : 503, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}
