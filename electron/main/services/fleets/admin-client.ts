import { hostname, userInfo } from 'node:os';
import type { z } from 'zod';
import {
  apiError,
  auditLog,
  deliveryDetail,
  deliveryPage,
  integrationList,
  integrationView,
  nodeInfo,
  rawDelivery,
  redriveResult,
  statsView,
  whoami,
  type AddSecretRequest,
  type ConfirmSecretRequest,
  type RedriveRequest,
  type RedriveResult,
  type AuditLog,
  type DeliveryDetail,
  type DeliveryPage,
  type IntegrationView,
  type KillRequest,
  type NodeInfo,
  type RawDelivery,
  type ReleaseRequest,
  type StatsView,
  type Whoami,
} from '../../../../shared/contract/admin-api.js';
import type { Outcome, Reason } from '../../../../shared/model/outcomes.js';
import { ConsoleError } from '../console-error.js';
import { AdminApiError, scrub, TransportError } from './admin-error.js';
import { backoffDelay, sleep, type BackoffPolicy } from './backoff.js';
import { exchange, readBody, type Endpoint, type Exchange } from './node-transport.js';
import { parseFingerprint } from './tls-trust.js';

export interface AdminClientOptions {
  /** The node's admin URL, `http(s)://host:port` (a trailing `/admin/v1` is accepted). */
  readonly url: string;
  /** Bearer token; without one every call is refused with 401, which `test()` reports. */
  readonly token?: string | undefined;
  /** PEM of a CA to trust instead of the system store. */
  readonly ca?: string | undefined;
  /** SHA-256 fingerprint of the node's certificate (64 hex digits, colons allowed). */
  readonly fingerprint?: string | undefined;
  readonly connectTimeoutMs?: number;
  readonly readTimeoutMs?: number;
  /** Extra attempts for reads (GET) after a network failure or a 502/503/504. Writes are never retried. */
  readonly retries?: number;
  readonly retryBackoff?: BackoffPolicy;
  /** Silence after which an event stream is taken for dead; the node sends a heartbeat every 15 s. */
  readonly streamIdleMs?: number;
  readonly maxResponseBytes?: number;
  readonly random?: () => number;
}

export interface CallOptions {
  readonly signal?: AbortSignal | undefined;
  /** Overrides the client's `retries` for this read. */
  readonly retries?: number | undefined;
}

export interface DeliveriesParams {
  readonly integration?: string | undefined;
  readonly outcome?: readonly Outcome[] | undefined;
  readonly reason?: readonly Reason[] | undefined;
  readonly since?: string | undefined;
  readonly until?: string | undefined;
  readonly deliveryId?: string | undefined;
  readonly requestId?: string | undefined;
  readonly sourceIp?: string | undefined;
  readonly cursor?: string | undefined;
  readonly limit?: number | undefined;
}

export interface StreamParams {
  /** The seq of the last event received: the node replays everything after it first. */
  readonly lastEventId?: string | undefined;
  readonly integration?: string | undefined;
  readonly outcome?: readonly Outcome[] | undefined;
  readonly signal?: AbortSignal | undefined;
}

const DEFAULTS = {
  connectTimeoutMs: 5_000,
  readTimeoutMs: 15_000,
  retries: 2,
  retryBackoff: { initialMs: 250, maxMs: 4_000 },
  streamIdleMs: 45_000,
  // Raw captures carry bodies of up to 64 MiB, base64-encoded.
  maxResponseBytes: 128 * 1024 * 1024,
} as const;

const PREFIX = '/admin/v1';

/**
 * Who sits at this console, `user@host`, sent with every admin call so that the node's audit log
 * names a person next to the shared token's name. Printable ASCII only (a header cannot carry
 * more, and a user name must not smuggle a line break into it), at most 128 characters.
 */
export function consolePerson(user: () => string = () => userInfo().username, host: () => string = hostname): string {
  const part = (read: () => string) => {
    try {
      return read().replace(/[^\x21-\x3f\x41-\x7e]/g, '').slice(0, 63) || 'unknown';
    } catch {
      // userInfo() throws for a uid without a passwd entry (some containers).
      return 'unknown';
    }
  };
  return `${part(user)}@${part(host)}`;
}
const CONSOLE_PERSON = consolePerson();

/**
 * One receiver node's admin API (DESIGN §2.5): bearer token, TLS checked against the system store,
 * a pinned CA or a pinned certificate, timeouts, retries for reads only (a kill or a secret change
 * sent twice is not what the operator asked for), every answer validated with the admin API's
 * schemas, every failure an AdminApiError with a plain message that never holds the token.
 */
export class AdminClient {
  /** The URL as the operator gave it: what results report. */
  readonly url: string;
  private readonly endpoint: Endpoint;
  private readonly token: string | undefined;
  private readonly settings: Required<Omit<AdminClientOptions, 'url' | 'token' | 'ca' | 'fingerprint'>>;

  constructor(options: AdminClientOptions) {
    this.url = options.url;
    this.token = options.token === '' ? undefined : options.token;
    // Checked here, where the message can say what is wrong without showing the value.
    if (this.token !== undefined && !/^[\x21-\x7e]+$/.test(this.token)) {
      throw new ConsoleError('invalid_token', 'the admin token must be printable ASCII without spaces or line breaks');
    }
    this.endpoint = {
      origin: adminOrigin(options.url),
      trust: {
        ca: options.ca,
        fingerprint: options.fingerprint === undefined ? undefined : parseFingerprint(options.fingerprint),
      },
    };
    this.settings = {
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
      readTimeoutMs: options.readTimeoutMs ?? DEFAULTS.readTimeoutMs,
      retries: options.retries ?? DEFAULTS.retries,
      retryBackoff: options.retryBackoff ?? DEFAULTS.retryBackoff,
      streamIdleMs: options.streamIdleMs ?? DEFAULTS.streamIdleMs,
      maxResponseBytes: options.maxResponseBytes ?? DEFAULTS.maxResponseBytes,
      random: options.random ?? Math.random,
    };
  }

  /** `https:` URLs are TLS; `http:` ones are plain (the token then crosses the network in the clear). */
  get secure(): boolean {
    return this.endpoint.origin.protocol === 'https:';
  }

  node(options?: CallOptions): Promise<NodeInfo> {
    return this.read('/node', nodeInfo, options);
  }

  /** What the token may do; undefined from a node too old to have `GET /whoami` (404). */
  async whoami(options?: CallOptions): Promise<Whoami | undefined> {
    try {
      return await this.read('/whoami', whoami, options);
    } catch (error) {
      if (error instanceof AdminApiError && error.details.status === 404) return undefined;
      throw error;
    }
  }

  async integrations(options?: CallOptions): Promise<IntegrationView[]> {
    return (await this.read('/integrations', integrationList, options)).integrations;
  }

  kill(integrationId: string, request: KillRequest, options?: CallOptions): Promise<IntegrationView> {
    return this.write('POST', `/integrations/${seg(integrationId)}/kill`, request, options);
  }

  release(integrationId: string, request: ReleaseRequest, options?: CallOptions): Promise<IntegrationView> {
    return this.write('DELETE', `/integrations/${seg(integrationId)}/kill`, request, options);
  }

  addSecret(integrationId: string, request: AddSecretRequest, options?: CallOptions): Promise<IntegrationView> {
    return this.write('POST', `/integrations/${seg(integrationId)}/secrets`, request, options);
  }

  retireSecret(integrationId: string, secretId: string, options?: CallOptions): Promise<IntegrationView> {
    return this.write('DELETE', `/integrations/${seg(integrationId)}/secrets/${seg(secretId)}`, undefined, options);
  }

  deliveries(params: DeliveriesParams = {}, options?: CallOptions): Promise<DeliveryPage> {
    return this.read(`/deliveries${query({ ...params, outcome: params.outcome?.join(','), reason: params.reason?.join(',') })}`, deliveryPage, options);
  }

  delivery(requestId: string, options?: CallOptions): Promise<DeliveryDetail> {
    return this.read(`/deliveries/${seg(requestId)}`, deliveryDetail, options);
  }

  raw(requestId: string, options?: CallOptions): Promise<RawDelivery> {
    return this.read(`/deliveries/${seg(requestId)}/raw`, rawDelivery, options);
  }

  stats(params: { since?: string | undefined; step?: number | undefined } = {}, options?: CallOptions): Promise<StatsView> {
    return this.read(`/stats${query(params)}`, statsView, options);
  }

  // Rotation that waits for the sender, redrive and audit paging: the calls of the act screens.

  /** Starts the overlap of the older secrets: the sender now signs with `secretId`. */
  confirmSecret(integrationId: string, secretId: string, request: ConfirmSecretRequest, options?: CallOptions): Promise<IntegrationView> {
    return this.write('POST', `/integrations/${seg(integrationId)}/secrets/${seg(secretId)}/confirm`, request, options);
  }

  /** Never retried, like every write: the node redrives once per request it is sent. */
  redrive(request: RedriveRequest, options: CallOptions = {}): Promise<RedriveResult> {
    return this.once('POST', `${PREFIX}/deliveries/redrive`, redriveResult, Buffer.from(JSON.stringify(request)), options.signal);
  }

  /** One page of the node's audit chain; `cursor` is a `nextCursor` it gave, for older entries. */
  audit(params: { cursor?: string | undefined; limit?: number | undefined } = {}, options?: CallOptions): Promise<AuditLog> {
    return this.read(`/audit${query(params)}`, auditLog, options);
  }

  /**
   * Opens `GET /stream`; resolves with the open exchange once the node answered 200 with an event
   * stream. Not retried here: the caller (a live stream) reconnects with its own backoff and resume.
   */
  async stream(params: StreamParams = {}): Promise<Exchange> {
    const path = `${PREFIX}/stream${query({ integration: params.integration, outcome: params.outcome?.join(',') })}`;
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (params.lastEventId !== undefined) headers['last-event-id'] = params.lastEventId;
    const exchanged = await this.send('GET', path, headers, undefined, this.settings.streamIdleMs, params.signal);
    const { response } = exchanged;
    if (response.statusCode === 200 && /^text\/event-stream/i.test(response.headers['content-type'] ?? '')) return exchanged;
    const body = await this.body(exchanged, 'GET', path);
    if (response.statusCode === 200) {
      throw this.failure('invalid_response', 'invalid_response', `${this.where()} answered GET ${PREFIX}/stream with something that is not an event stream`, { requestSent: true, reachable: true });
    }
    throw this.httpFailure('GET', path, response.statusCode ?? 0, body, response.headers['retry-after']);
  }

  private async read<S extends z.ZodType>(path: string, schema: S, options: CallOptions = {}): Promise<z.output<S>> {
    const retries = options.retries ?? this.settings.retries;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once('GET', `${PREFIX}${path}`, schema, undefined, options.signal);
      } catch (error) {
        const retry = error instanceof AdminApiError && error.details.retryable && attempt < retries && !options.signal?.aborted;
        if (!retry) throw error;
        await sleep(backoffDelay(this.settings.retryBackoff, attempt, this.settings.random), options.signal);
      }
    }
  }

  /** Sent once, whatever happens: if the answer is lost, the caller looks at the node's state rather than send it again. */
  private write(method: 'POST' | 'DELETE', path: string, body: unknown, options: CallOptions = {}): Promise<IntegrationView> {
    return this.once(method, `${PREFIX}${path}`, integrationView, body === undefined ? undefined : Buffer.from(JSON.stringify(body)), options.signal);
  }

  private async once<S extends z.ZodType>(method: 'GET' | 'POST' | 'DELETE', path: string, schema: S, body: Buffer | undefined, signal: AbortSignal | undefined): Promise<z.output<S>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body) headers['content-type'] = 'application/json';
    const exchanged = await this.send(method, path, headers, body, this.settings.readTimeoutMs, signal);
    const text = await this.body(exchanged, method, path);
    const status = exchanged.response.statusCode ?? 0;
    if (status < 200 || status > 299) throw this.httpFailure(method, path, status, text, exchanged.response.headers['retry-after']);
    let json: unknown;
    try {
      json = JSON.parse(text.toString('utf8'));
    } catch {
      throw this.invalid(method, path, 'not JSON');
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw this.invalid(method, path, `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'unexpected shape'}`);
    }
    return parsed.data;
  }

  private async send(method: 'GET' | 'POST' | 'DELETE', path: string, headers: Record<string, string>, body: Buffer | undefined, readTimeoutMs: number, signal: AbortSignal | undefined): Promise<Exchange> {
    if (!this.secure && (this.endpoint.trust.ca !== undefined || this.endpoint.trust.fingerprint !== undefined)) {
      // The operator asked for a verified node: sending the token in the clear to an unverified one is not what they meant.
      throw this.failure('tls_failed', 'tls', `TLS failed for ${this.where()}: a CA or certificate fingerprint is pinned, but the URL is http:// (use https://)`, {
        requestSent: false,
        reachable: false,
        tlsCheck: 'handshake',
      });
    }
    const allHeaders = { ...headers, 'x-hookwarden-person': CONSOLE_PERSON, ...(this.token !== undefined ? { authorization: `Bearer ${this.token}` } : {}) };
    try {
      return await exchange(this.endpoint, {
        method,
        path,
        headers: allHeaders,
        body,
        connectTimeoutMs: this.settings.connectTimeoutMs,
        readTimeoutMs,
        signal,
      });
    } catch (error) {
      throw this.transportFailure(error, method, path);
    }
  }

  private async body(exchanged: Exchange, method: string, path: string): Promise<Buffer> {
    try {
      return await readBody(exchanged, this.settings.maxResponseBytes);
    } catch (error) {
      throw this.transportFailure(error, method, path);
    }
  }

  private where(): string {
    return this.endpoint.origin.origin;
  }

  private failure(code: string, kind: AdminApiError['kind'], message: string, details: Omit<AdminApiError['details'], 'kind' | 'retryable'> & { retryable?: boolean }): AdminApiError {
    return new AdminApiError(code, scrub(message, this.token), { retryable: false, ...details, kind });
  }

  private invalid(method: string, path: string, problem: string): AdminApiError {
    return this.failure('invalid_response', 'invalid_response', `${this.where()} answered ${method} ${route(path)} with something that is not the admin API's answer (${problem})`, {
      requestSent: true,
      reachable: true,
    });
  }

  private transportFailure(error: unknown, method: string, path: string): AdminApiError {
    if (error instanceof AdminApiError) return error;
    if (!(error instanceof TransportError)) {
      return this.failure('node_unreachable', 'unreachable', `${this.where()}: the request failed`, { requestSent: true, reachable: false, retryable: false });
    }
    const at = this.where();
    switch (error.phase) {
      case 'request':
        return this.failure('invalid_request', 'invalid_request', `the call ${method} ${route(path)} to ${at} could not be built`, { requestSent: false, reachable: false });
      case 'aborted':
        return this.failure('cancelled', 'aborted', `the call to ${at} was cancelled`, { requestSent: true, reachable: false });
      case 'tls':
        return this.failure('tls_failed', 'tls', `TLS failed for ${at}: ${error.message}`, {
          requestSent: false,
          reachable: true,
          ...(error.tlsCheck ? { tlsCheck: error.tlsCheck } : {}),
        });
      case 'connect':
        return this.failure(error.code === 'ETIMEDOUT' ? 'node_timeout' : 'node_unreachable', error.code === 'ETIMEDOUT' ? 'timeout' : 'unreachable', `cannot reach ${at}: ${connectProblem(error)}`, {
          requestSent: false,
          reachable: false,
          retryable: true,
        });
      case 'read':
        if (error.code === 'TOO_LARGE') return this.invalid(method, path, error.message);
        if (error.code === 'ETIMEDOUT') {
          return this.failure('node_timeout', 'timeout', `${at} did not answer ${method} ${route(path)} in time (${error.message})`, { requestSent: true, reachable: true, retryable: true });
        }
        return this.failure('node_unreachable', 'unreachable', `${at} closed the connection during ${method} ${route(path)}`, { requestSent: true, reachable: true, retryable: true });
    }
  }

  private httpFailure(method: string, path: string, status: number, body: Buffer, retryAfter: string | undefined): AdminApiError {
    const parsed = safeJson(body);
    const server = apiError.safeParse(parsed);
    const serverText = server.success ? server.data.error.message : `HTTP ${status}`;
    const base = { requestSent: true, reachable: true, status };
    const at = this.where();
    if (status === 401) {
      const message = this.token === undefined ? `${at} requires an admin token and none is set` : `${at} refused the admin token (401: ${serverText})`;
      return this.failure('token_refused', 'token_refused', message, base);
    }
    if (status === 403) {
      // Reading raw payloads is a permission of its own: the console says so rather than "scope".
      const code = server.success && server.data.error.code === 'payloads_not_permitted' ? 'payloads_not_permitted' : 'scope_insufficient';
      return this.failure(code, 'scope_insufficient', `${at}: the token's scope is not enough for ${method} ${route(path)} (${serverText})`, base);
    }
    if (status === 429) {
      return this.failure('throttled', 'throttled', `${at} refuses this address for now after too many failed authentications${retryAfter ? `; retry in ${retryAfter} s` : ''}`, base);
    }
    const code = server.success ? server.data.error.code : `http_${status}`;
    return this.failure(code, 'http', `${at} answered ${method} ${route(path)} with ${status} ${code}: ${serverText}`, { ...base, retryable: status === 502 || status === 503 || status === 504 });
  }
}

/** The node's origin from the URL the operator typed; credentials in it are refused (they would end up in messages). */
export function adminOrigin(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConsoleError('invalid_url', 'a node URL must be an http:// or https:// URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new ConsoleError('invalid_url', 'a node URL must be an http:// or https:// URL');
  if (parsed.username || parsed.password) throw new ConsoleError('invalid_url', 'a node URL must not carry a user name or password; the token is given separately');
  const path = parsed.pathname.replace(/\/+$/, '');
  if (path !== '' && path !== PREFIX) throw new ConsoleError('invalid_url', `a node URL is the admin listener's address, e.g. https://host:9090 (no path other than ${PREFIX})`);
  return new URL(parsed.origin);
}

function connectProblem(error: TransportError): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is the node running, and is this its admin port?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name does not resolve';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'no route to the host';
    case 'ECONNRESET':
      return 'the connection was reset';
    default:
      return error.message;
  }
}

const seg = encodeURIComponent;

/** The path without its query: queries hold cursors and filters, not worth repeating in an error. */
function route(path: string): string {
  const at = path.indexOf('?');
  return at < 0 ? path : path.slice(0, at);
}

function query(params: Readonly<Record<string, string | number | undefined>>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

function safeJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}
