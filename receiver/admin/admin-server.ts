import { readFileSync } from 'node:fs';
import { Server as HttpServer, type IncomingMessage, type ServerOptions, type ServerResponse } from 'node:http';
import { Server as HttpsServer, type ServerOptions as HttpsServerOptions } from 'node:https';
import { resolve } from 'node:path';
import type { Registry } from 'prom-client';
import type { ReceiverConfig } from '../../shared/contract/receiver-config.js';
import { ConfigError } from '../config/config-error.js';
import { answerHealth, type HealthProbe } from '../http/ingress-server.js';
import { listen } from '../http/listen.js';
import { errorText, type Logger } from '../observability/logger.js';
import type { AdminCommands, AdminQueries } from './admin-service.js';
import { AdminAuth } from './auth.js';
import { sendError } from './json-io.js';
import { RefusalAudit } from './refusal-audit.js';
import { ADMIN_PREFIX, createAdminRouter } from './routes.js';
import { DEFAULT_STREAM_OPTIONS, type StreamOptions } from './sse-stream.js';
import { StreamHub } from './stream-hub.js';
import { StreamSlots } from './stream-slots.js';

export type AdminConfig = NonNullable<ReceiverConfig['admin']>;

export interface AdminServerOptions {
  readonly config: AdminConfig;
  /** TLS files are relative to the config file's folder. */
  readonly baseDir: string;
  /** Named in the error when a TLS file cannot be read. */
  readonly configFile: string;
  readonly queries: AdminQueries;
  readonly commands: AdminCommands;
  readonly registry: Registry;
  readonly health: HealthProbe;
  readonly logger: Logger;
  readonly now?: () => number;
  readonly stream?: Partial<StreamOptions>;
}

const LISTENER_LIMITS: ServerOptions = {
  headersTimeout: 10_000,
  // Applies to receiving the request only, so it does not end a long-lived event stream.
  requestTimeout: 30_000,
  keepAliveTimeout: 5_000,
  maxHeaderSize: 16 * 1024,
};

/** How often a finished minute of refused requests is written to the audit log. */
const REFUSAL_FLUSH_MS = 10_000;

/**
 * Runs `beforeClose` when the server is closed, before it waits for its connections: an event stream
 * never ends by itself, so shutdown would otherwise wait out its grace period.
 */
function onClosing<S extends HttpServer>(server: S, beforeClose: () => void): S {
  const close = server.close.bind(server);
  server.close = (callback?: (error?: Error) => void) => {
    beforeClose();
    return close(callback);
  };
  return server;
}

/**
 * The admin listener (DESIGN §2.5). `/admin/v1/*` needs a bearer token. `/metrics`, `/healthz` and
 * `/readyz` do not: load balancers, orchestrators and Prometheus probe them without credentials,
 * and they reveal only counters and health, never deliveries, secrets or state. That is one
 * more reason to keep this listener on an internal interface. With `tls.clientCa` every client
 * must present a certificate signed by that CA (mutual TLS) before any of this is reached.
 */
export function createAdminServer(options: AdminServerOptions): HttpServer {
  const openStreams = new Set<() => void>();
  const now = options.now ?? Date.now;
  const hub = new StreamHub(options.queries);
  const refusals = new RefusalAudit((summary) => options.commands.auditRefusal(summary));
  const flushRefusals = (flush: () => void): void => {
    try {
      flush();
    } catch (error) {
      options.logger.error('auditing refused admin requests failed', { error: errorText(error) });
    }
  };
  let refusalTimer: NodeJS.Timeout | undefined;
  const beforeClose = (): void => {
    clearInterval(refusalTimer);
    flushRefusals(() => refusals.flush());
    for (const end of [...openStreams]) end();
    openStreams.clear();
    hub.stop();
  };
  const route = createAdminRouter({
    queries: options.queries,
    commands: options.commands,
    auth: new AdminAuth(options.config.tokens, options.config.authFailures),
    refusals,
    logger: options.logger,
    now,
    stream: { ...DEFAULT_STREAM_OPTIONS, ...options.stream },
    openStreams,
    hub,
    streamSlots: new StreamSlots(options.config.streams),
  });

  const handler = (request: IncomingMessage, response: ServerResponse): void => {
    const url = request.url ?? '/';
    const queryStart = url.indexOf('?');
    // Split by hand: `new URL()` would read a path starting with `//` as a host name.
    const path = queryStart < 0 ? url : url.slice(0, queryStart);
    const search = new URLSearchParams(queryStart < 0 ? '' : url.slice(queryStart + 1));
    if (path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`)) return route(request, response, path.slice(ADMIN_PREFIX.length), search);
    if (request.method === 'GET' && (path === '/healthz' || path === '/readyz')) return answerHealth(path, options.health, response);
    if (request.method === 'GET' && path === '/metrics') return serveMetrics(options.registry, response);
    sendError(response, 404, 'not_found', 'no such route');
  };

  const server = onClosing(createListener(options, handler), beforeClose);
  server.once('listening', () => {
    refusalTimer = setInterval(() => flushRefusals(() => refusals.flushClosed(now())), REFUSAL_FLUSH_MS).unref();
  });
  return server;
}

function createListener(options: AdminServerOptions, handler: (request: IncomingMessage, response: ServerResponse) => void): HttpServer {
  const tls = options.config.tls;
  if (!tls) return new HttpServer(LISTENER_LIMITS, handler);
  const read = (key: 'cert' | 'key' | 'clientCa', file: string): Buffer => {
    try {
      return readFileSync(resolve(options.baseDir, file));
    } catch (error) {
      throw new ConfigError(options.configFile, [{ path: `admin.tls.${key}`, message: `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})` }]);
    }
  };
  const tlsOptions: HttpsServerOptions = { ...LISTENER_LIMITS, cert: read('cert', tls.cert), key: read('key', tls.key), minVersion: 'TLSv1.2' };
  if (tls.clientCa !== undefined) {
    // Mutual TLS: a client without a certificate from this CA is refused in the handshake.
    Object.assign(tlsOptions, { ca: read('clientCa', tls.clientCa), requestCert: true, rejectUnauthorized: true });
  }
  return new HttpsServer(tlsOptions, handler);
}

/** Listens and answers the URL to reach the admin API with, `https://` when it serves TLS. */
export async function listenAdmin(server: HttpServer, address: string): Promise<string> {
  const url = await listen(server, address, 'admin.listen');
  return server instanceof HttpsServer ? url.replace(/^http:/, 'https:') : url;
}

function serveMetrics(registry: Registry, response: ServerResponse): void {
  registry.metrics().then(
    (text) => {
      response.writeHead(200, { 'content-type': registry.contentType });
      response.end(text);
    },
    () => sendError(response, 500, 'internal', 'metrics unavailable'),
  );
}
