import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  addSecretRequest,
  auditQuery,
  confirmSecretRequest,
  deliveryQuery,
  killRequest,
  redriveRequest,
  releaseRequest,
  statsQuery,
  streamQuery,
  type TokenScope,
} from '../../shared/contract/admin-api.js';
import { errorText, type Logger } from '../observability/logger.js';
import { AdminError, type Actor, type AdminCommands, type AdminQueries } from './admin-service.js';
import { scopeAllows, type AdminAuth, type AuthenticatedToken } from './auth.js';
import { parseInput, readJsonBody, sendError, sendJson } from './json-io.js';
import { PERSON_HEADER, personFromHeader } from './person.js';
import type { Refusal, RefusalAudit } from './refusal-audit.js';
import { openDeliveryStream, type StreamOptions } from './sse-stream.js';
import type { StreamHub } from './stream-hub.js';
import type { StreamSlots } from './stream-slots.js';

/** A refused stream is tried again after this many seconds: a slot frees when any client goes. */
const STREAM_RETRY_SECONDS = 5;

type Method = 'GET' | 'POST' | 'DELETE';

interface Context {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly params: Readonly<Record<string, string>>;
  readonly search: URLSearchParams;
  readonly actor: Actor;
  readonly token: AuthenticatedToken;
}

/** Returned by a handler that has answered by itself (the event stream). */
const STREAMED = Symbol('streamed');

interface Route {
  readonly method: Method;
  readonly segments: readonly string[];
  readonly scope: TokenScope;
  /** Raw payloads: the token needs `payloads: true` on top of the scope. */
  readonly payloads: boolean;
  readonly handle: (context: Context) => unknown;
}

export interface RouterOptions {
  readonly queries: AdminQueries;
  readonly commands: AdminCommands;
  readonly auth: AdminAuth;
  readonly refusals: RefusalAudit;
  readonly logger: Logger;
  readonly now: () => number;
  readonly stream: StreamOptions;
  /** Ends of the open event streams, so that a closing server can end them. */
  readonly openStreams: Set<() => void>;
  readonly hub: StreamHub;
  readonly streamSlots: StreamSlots;
}

/** Routes are matched on the path after `/admin/v1`. */
export const ADMIN_PREFIX = '/admin/v1';

function route(method: Method, path: string, scope: TokenScope, handle: (context: Context) => unknown, payloads = false): Route {
  return { method, segments: path.split('/').slice(1), scope, payloads, handle };
}

/** DESIGN §2.5: every GET needs `read`, the kill switch `operate`, secrets `admin`. */
function adminRoutes({ queries, commands, stream, openStreams, refusals, now, hub, streamSlots }: RouterOptions): Route[] {
  const param = (context: Context, name: string): string => context.params[name] ?? '';
  return [
    route('GET', '/node', 'read', () => queries.node()),
    route('GET', '/whoami', 'read', ({ token }) => ({ name: token.name, scope: token.scope, payloads: token.payloads })),
    route('GET', '/integrations', 'read', () => ({ integrations: queries.integrations() })),
    route('POST', '/integrations/:id/kill', 'operate', async (context) =>
      commands.kill(context.actor, param(context, 'id'), parseInput(killRequest, await readJsonBody(context.request), 'body')),
    ),
    route('DELETE', '/integrations/:id/kill', 'operate', async (context) =>
      commands.release(context.actor, param(context, 'id'), parseInput(releaseRequest, await readJsonBody(context.request), 'body')),
    ),
    route('POST', '/integrations/:id/secrets', 'admin', async (context) =>
      commands.addSecret(context.actor, param(context, 'id'), parseInput(addSecretRequest, await readJsonBody(context.request), 'body')),
    ),
    route('POST', '/integrations/:id/secrets/:secretId/confirm', 'admin', async (context) =>
      commands.confirmSecret(
        context.actor,
        param(context, 'id'),
        param(context, 'secretId'),
        parseInput(confirmSecretRequest, await readJsonBody(context.request), 'body'),
      ),
    ),
    route('DELETE', '/integrations/:id/secrets/:secretId', 'admin', (context) =>
      commands.retireSecret(context.actor, param(context, 'id'), param(context, 'secretId')),
    ),
    route('GET', '/deliveries', 'read', (context) => queries.deliveries(parseInput(deliveryQuery, queryObject(context.search), 'query'))),
    route('POST', '/deliveries/redrive', 'operate', async (context) =>
      commands.redrive(context.actor, parseInput(redriveRequest, await readJsonBody(context.request), 'body')),
    ),
    route('GET', '/deliveries/:id', 'read', (context) => queries.delivery(param(context, 'id')) ?? deliveryNotFound(param(context, 'id'))),
    route(
      'GET',
      '/deliveries/:id/raw',
      'read',
      (context) => {
        const raw = queries.raw(param(context, 'id')) ?? captureNotFound(param(context, 'id'));
        // Audited before it is sent: a read that cannot be recorded is not served.
        commands.auditPayloadRead(context.actor, raw.requestId, raw.integrationId);
        return raw;
      },
      true,
    ),
    route('GET', '/stream', 'read', (context) => {
      const resumeAfter = lastEventId(context);
      const search = new URLSearchParams(context.search);
      search.delete('lastEventId');
      const filter = parseInput(streamQuery, queryObject(search), 'query');
      const slot = streamSlots.acquire(context.token.name);
      if ('refused' in slot) throw new AdminError(503, 'too_many_streams', slot.refused, { 'retry-after': STREAM_RETRY_SECONDS });
      const end = openDeliveryStream(context.response, { deliveriesAfter: queries.deliveriesAfter, subscribe: hub.subscribe }, filter, resumeAfter, stream);
      openStreams.add(end);
      context.response.on('close', () => {
        openStreams.delete(end);
        slot.release();
      });
      return STREAMED;
    }),
    route('GET', '/stats', 'read', (context) => queries.stats(parseInput(statsQuery, queryObject(context.search), 'query'))),
    route('GET', '/audit', 'read', (context) => {
      refusals.flushClosed(now());
      return queries.audit(parseInput(auditQuery, queryObject(context.search), 'query'));
    }),
  ];
}

function deliveryNotFound(id: string): never {
  throw new AdminError(404, 'not_found', `no delivery "${id}" in the log`);
}

function captureNotFound(id: string): never {
  throw new AdminError(404, 'not_found', `no captured request for delivery "${id}" (none kept, or past its retention)`);
}

/** `Last-Event-ID` as EventSource sends it, or `lastEventId` for clients that cannot set headers. */
function lastEventId(context: Context): number | undefined {
  const header = context.request.headers['last-event-id'];
  const text = (Array.isArray(header) ? header[0] : header) ?? context.search.get('lastEventId') ?? undefined;
  if (text === undefined || text === '') return undefined;
  if (!/^\d{1,15}$/.test(text.trim())) throw new AdminError(400, 'invalid_request', 'Last-Event-ID: must be the seq of a delivery event');
  return Number(text.trim());
}

/** Query parameters as an object for the schema; one given twice is ambiguous and refused. */
function queryObject(search: URLSearchParams): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of search) {
    if (Object.hasOwn(result, key)) throw new AdminError(400, 'invalid_request', `${key}: given more than once`);
    result[key] = value;
  }
  return result;
}

type Match = { kind: 'found'; route: Route; params: Record<string, string> } | { kind: 'not_found' } | { kind: 'wrong_method'; allow: string[] };

function matchRoute(routes: readonly Route[], method: string, segments: readonly string[]): Match {
  const allow: string[] = [];
  for (const candidate of routes) {
    if (candidate.segments.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const fits = candidate.segments.every((part, index) => {
      const actual = segments[index] ?? '';
      if (part.startsWith(':')) {
        params[part.slice(1)] = actual;
        return actual !== '';
      }
      return part === actual;
    });
    if (!fits) continue;
    if (candidate.method === method) return { kind: 'found', route: candidate, params };
    allow.push(candidate.method);
  }
  return allow.length > 0 ? { kind: 'wrong_method', allow } : { kind: 'not_found' };
}

function decodeSegments(path: string): string[] {
  try {
    return path.split('/').slice(1).map(decodeURIComponent);
  } catch {
    throw new AdminError(400, 'invalid_request', 'path: not valid percent-encoding');
  }
}

/**
 * The `/admin/v1` handler: authenticate (401, throttled to 429), route (404, 405), authorise (403),
 * validate (400), run. Refusals, 429s included, are audited summed up per caller and minute, so a
 * flood cannot grow the audit log by one entry per request.
 */
export function createAdminRouter(options: RouterOptions): (request: IncomingMessage, response: ServerResponse, path: string, search: URLSearchParams) => void {
  const routes = adminRoutes(options);
  const { auth, refusals, logger } = options;

  const refuse = (refusal: Refusal): void => {
    try {
      refusals.record(refusal, options.now());
    } catch (error) {
      logger.error('auditing a refused admin request failed', { error: errorText(error) });
    }
  };

  const handle = async (request: IncomingMessage, response: ServerResponse, path: string, search: URLSearchParams): Promise<void> => {
    const method = request.method ?? '';
    const sourceIp = request.socket.remoteAddress ?? 'unknown';
    const person = personFromHeader(request.headers[PERSON_HEADER]);
    // Only the path: query strings are the caller's text and have no place in the audit log.
    const routeText = `${method} ${ADMIN_PREFIX}${path}`.slice(0, 300);

    const authenticated = auth.authenticate(request.headers.authorization, sourceIp, options.now());
    if (!authenticated.ok) {
      refuse({ actor: { name: 'anonymous', sourceIp, person }, route: routeText, status: authenticated.status, problem: authenticated.problem });
      if (authenticated.status === 429) {
        return sendError(response, 429, 'too_many_failures', `too many failed authentications (${authenticated.problem}); retry later`, {
          'retry-after': authenticated.retryAfterSeconds,
        });
      }
      return sendError(response, 401, 'unauthorized', `a valid bearer token is required (${authenticated.problem})`, {
        'www-authenticate': 'Bearer realm="hookwarden-admin"',
      });
    }
    const { token } = authenticated;
    const actor: Actor = { name: token.name, sourceIp, person };

    const match = matchRoute(routes, method, decodeSegments(path));
    if (match.kind === 'not_found') return sendError(response, 404, 'not_found', `no route ${routeText}`);
    if (match.kind === 'wrong_method') {
      return sendError(response, 405, 'method_not_allowed', `${method} is not allowed here; use ${match.allow.join(', ')}`, { allow: match.allow.join(', ') });
    }
    const { route: matched, params } = match;
    if (!scopeAllows(token.scope, matched.scope)) {
      refuse({ actor, route: routeText, status: 403, problem: `scope "${token.scope}" lacks "${matched.scope}"` });
      return sendError(response, 403, 'forbidden', `this route needs a token with the "${matched.scope}" scope`);
    }
    if (matched.payloads && !token.payloads) {
      refuse({ actor, route: routeText, status: 403, problem: 'token lacks the payloads permission' });
      return sendError(response, 403, 'payloads_not_permitted', 'raw payloads need a token with "payloads: true" in the node\'s config');
    }

    const result = await matched.handle({ request, response, params, search, actor, token });
    if (result !== STREAMED) sendJson(response, 200, result);
  };

  return (request, response, path, search) => {
    handle(request, response, path, search).catch((error: unknown) => {
      if (error instanceof AdminError) {
        // The rest of an oversized body is not read: the connection cannot be reused.
        return sendError(response, error.status, error.code, error.message, { ...error.headers, ...(error.status === 413 ? { connection: 'close' } : {}) });
      }
      logger.error('admin request failed', { route: `${request.method ?? ''} ${ADMIN_PREFIX}${path}`.slice(0, 300), error: errorText(error) });
      if (response.headersSent) response.destroy();
      else sendError(response, 500, 'internal', 'internal error');
    });
  };
}
