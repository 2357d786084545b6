import { hash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Diagnosis, Outcome, Reason } from '../../shared/model/outcomes.js';
import type { InboundRequest } from '../schemes/scheme.js';
import { replayDigest } from '../store/dedupe/replay-digest.js';
import type { DeliveryRecord, DeliveryWrite } from '../store/delivery-record.js';
import type { ReplayCache, ReplayKey } from '../store/replay-cache.js';
import { timeOrderedId } from '../store/request-id.js';
import type { AddressList } from './address-list.js';
import { CaptureBudget } from './capture-budget.js';
import type { DeliveryFeed } from './delivery-feed.js';
import { diagnoseSignatureFailure } from './diagnose.js';
import type { IntegrationRuntime } from './integration-runtime.js';
import type { RateLimiter } from './rate-limiter.js';
import { readBody } from './read-body.js';
import { flattenHeaders, type FlatHeaders } from './redact-headers.js';
import { sourceAddress } from './source-address.js';
import { TokenBuckets } from './token-buckets.js';

/** The durable log as the ingress sees it. */
export interface IngressStore {
  /** Resolves with the record's log position once the write is durable. */
  write(write: DeliveryWrite): Promise<number>;
  /** Why the store takes no deliveries now (a commit stuck, a full queue), or undefined when it does. */
  refusal(): string | undefined;
}

export interface IngressDependencies {
  readonly integrations: readonly IntegrationRuntime[];
  readonly store: IngressStore;
  readonly replayCache: ReplayCache;
  readonly rateLimiter: RateLimiter;
  readonly feed: DeliveryFeed;
  readonly observe: (record: DeliveryRecord) => void;
  readonly trustedProxies: AddressList | undefined;
  readonly now: () => number;
  readonly onStoreError: (error: unknown) => void;
  /** The replay claim of a stored delivery could not be extended to its window (Redis away): the delivery itself is safe. */
  readonly onReplayCommitError: (error: unknown) => void;
  /** A rejection's log record was not written because the store refuses writes (stuck or full). */
  readonly onRecordDropped: () => void;
}

/** The end of the path: what the sender is told, and what the log records. */
interface Answer {
  readonly status: number;
  readonly outcome: Outcome;
  readonly reason: Reason | null;
  readonly detail?: string;
  readonly diagnosis?: Diagnosis;
  readonly retryAfterSeconds?: number;
  readonly closeConnection?: boolean;
}

/**
 * An answer that may be sent only once its write is durable, and what the write stores besides the record.
 * Every field is always present (undefined when unused): the write is built from it as one literal of one
 * shape, where spreading optional parts gave each delivery's object a fresh hidden class (V8's slow
 * define-property path, ~2.4 µs a delivery).
 */
interface Stored {
  readonly answer: Answer;
  readonly capture: DeliveryCapture;
  readonly outbox: DeliveryWrite['outbox'];
  /** The replay keys the store keeps with the delivery: undefined where the replay cache keeps them itself (a fleet's Redis). */
  readonly storedKeys: readonly ReplayKey[] | undefined;
  /** The keys claimed in the replay cache, committed or released once the write settled. */
  readonly replayKeys: readonly ReplayKey[];
}

type DeliveryCapture = NonNullable<DeliveryWrite['capture']>;

/** One request on its way through the path: what it learnt, for its log record. */
interface Exchange {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly started: number;
  readonly receivedAt: number;
  readonly requestId: string;
  readonly path: string;
  readonly query: string;
  readonly source: string;
  readonly integration: IntegrationRuntime | undefined;
  headers: FlatHeaders | undefined;
  body: Buffer | undefined;
  secretId: string | null;
  deliveryId: string | null;
  skewMs: number | null;
}

const KILL_RETRY_AFTER_SECONDS = 60;
const STORE_RETRY_AFTER_SECONDS = 5;
/** A claim still pending settles within a commit: the sender may try again at once. */
const PENDING_RETRY_AFTER_SECONDS = 1;
const DIAGNOSIS_BUDGET = { perSecond: 5, burst: 10 };
const NO_HEADERS: ReadonlySet<string> = new Set();
/** The answers of the accepted path, made once: every delivery's answer then has the same shape. */
const ACCEPTED: Answer = { status: 202, outcome: 'accepted', reason: null };
const HELD: Answer = { status: 202, outcome: 'held', reason: null };
const DROPPED: Answer = { status: 202, outcome: 'dropped', reason: 'killed' };

/**
 * The path of one delivery (DESIGN §2.1), cheap checks first and stateful ones last. Every request
 * ends in exactly one Answer and one log record; 202 is sent only after the delivery is durable.
 * Forged traffic meets only the per-source limit before verification: the integration's shared
 * bucket is charged for verified deliveries alone, so forgers cannot spend a sender's allowance.
 */
export class Ingress {
  private readonly byPath: ReadonlyMap<string, IntegrationRuntime>;
  private readonly diagnosisBudget = new TokenBuckets(10_000);
  private readonly captureBudget = new CaptureBudget();

  constructor(private readonly deps: IngressDependencies) {
    this.byPath = new Map(deps.integrations.map((integration) => [integration.path, integration]));
  }

  readonly handle = (request: IncomingMessage, response: ServerResponse): void => {
    const receivedAt = this.deps.now();
    const url = request.url ?? '/';
    const queryStart = url.indexOf('?');
    const path = queryStart < 0 ? url : url.slice(0, queryStart);
    const exchange: Exchange = {
      request,
      response,
      started: performance.now(),
      receivedAt,
      requestId: timeOrderedId(receivedAt),
      path,
      query: queryStart < 0 ? '' : url.slice(queryStart),
      source: sourceAddress(request, this.deps.trustedProxies),
      integration: this.byPath.get(path),
      headers: undefined,
      body: undefined,
      secretId: null,
      deliveryId: null,
      skewMs: null,
    };
    const integration = exchange.integration;
    if (!integration) return this.answerNow(exchange, { status: 404, outcome: 'rejected', reason: 'not_found' });
    if (request.method !== 'POST') return this.answerNow(exchange, { status: 405, outcome: 'rejected', reason: 'method_not_allowed' });
    this.verify(integration, exchange).then(
      (result) => ('capture' in result ? this.storeThenAnswer(exchange, result) : this.answerNow(exchange, result)),
      (error: unknown) => {
        this.deps.onStoreError(error);
        this.answerNow(exchange, { status: 503, outcome: 'rejected', reason: 'store_unavailable', retryAfterSeconds: STORE_RETRY_AFTER_SECONDS });
      },
    );
  };

  /** A rejection: answered at once, its log record written behind it (never waiting on a commit). */
  private answerNow(exchange: Exchange, answer: Answer): void {
    send(exchange, answer);
    const record = this.record(exchange, answer);
    if (this.deps.store.refusal() !== undefined) {
      this.deps.observe(record);
      this.deps.onRecordDropped();
      return;
    }
    this.deps.store
      .write({ record, headersJson: this.headers(exchange).logJson, capture: this.rejectedCapture(exchange), outbox: undefined, replayKeys: undefined })
      .then((seq) => this.logged(record, seq))
      .catch(this.deps.onStoreError);
  }

  /**
   * Plain callbacks on the write rather than async functions awaiting it: this runs for every delivery, and
   * each async frame and await is a promise and a microtask more.
   */
  private storeThenAnswer(exchange: Exchange, stored: Stored): void {
    const record = this.record(exchange, stored.answer);
    const write = { record, headersJson: this.headers(exchange).logJson, capture: stored.capture, outbox: stored.outbox, replayKeys: stored.storedKeys };
    this.deps.store.write(write).then(
      (seq) => {
        try {
          this.logged(record, seq);
        } catch (error) {
          return this.notStored(exchange, stored, error);
        }
        // Durable now, so 202 is the truth: the answer does not wait for the claim's extension (in a fleet,
        // a Redis round trip and fsync). Until the extension lands the claim is still this node's lease, so
        // a resend meanwhile is told 503 "pending", never accepted twice; a node killed before it lands
        // extends its committed claims at restart (fleet-reconcile.ts) before it listens. If it cannot be
        // extended (Redis away) the delivery is still stored and goes downstream; the lease then lapses
        // and a later resend may be taken again.
        send(exchange, stored.answer);
        this.deps.replayCache.commit(stored.replayKeys, this.deps.now(), exchange.requestId)?.catch(this.deps.onReplayCommitError);
      },
      (error: unknown) => this.notStored(exchange, stored, error),
    );
  }

  private notStored(exchange: Exchange, stored: Stored, error: unknown): void {
    this.deps.onStoreError(error);
    const answer = (): void => this.answerNow(exchange, { status: 503, outcome: 'rejected', reason: 'store_unavailable', retryAfterSeconds: STORE_RETRY_AFTER_SECONDS });
    // Answered whether or not the claim could be given back.
    this.deps.replayCache.release(stored.replayKeys).then(answer, answer);
  }

  /** The record is in the log: counted, and handed to the live feed. */
  private logged(record: DeliveryRecord, seq: number): void {
    this.deps.observe(record);
    this.deps.feed.publish(record, seq);
  }

  private record(exchange: Exchange, answer: Answer): DeliveryRecord {
    const { integration, body } = exchange;
    return {
      requestId: exchange.requestId,
      integrationId: integration?.id ?? null,
      receivedAt: exchange.receivedAt,
      sourceIp: exchange.source,
      method: exchange.request.method ?? '',
      path: exchange.path,
      headers: this.headers(exchange).log,
      bodySize: body?.length ?? 0,
      bodySha256: body ? hash('sha256', body, 'hex') : null,
      status: answer.status,
      outcome: answer.outcome,
      reason: answer.reason,
      detail: answer.detail ?? null,
      diagnosis: answer.diagnosis ?? null,
      secretId: exchange.secretId,
      deliveryId: exchange.deliveryId,
      skewMs: exchange.skewMs,
      latencyUs: Math.round((performance.now() - exchange.started) * 1000),
    };
  }

  /** Steps 2-10: resolves to a final Answer, or to an Answer that may be sent only once its write is durable. */
  private async verify(integration: IntegrationRuntime, exchange: Exchange): Promise<Answer | Stored> {
    const { request, source, receivedAt: now } = exchange;
    const kill = integration.kill;
    if (kill?.mode === 'reject') {
      return { status: 503, outcome: 'rejected', reason: 'killed', detail: kill.reason, retryAfterSeconds: KILL_RETRY_AFTER_SECONDS };
    }
    if (integration.allowIps && !integration.allowIps.has(source)) return { status: 403, outcome: 'rejected', reason: 'ip_not_allowed' };
    if (integration.perSourceLimit) {
      const taken = this.deps.rateLimiter.take(`${integration.id}|${source}`, integration.perSourceLimit, now);
      const wait = taken instanceof Promise ? await taken : taken;
      if (wait > 0) return { status: 429, outcome: 'rejected', reason: 'rate_limited', retryAfterSeconds: wait };
    }

    const read = await readBody(request, integration.maxBodyBytes);
    if (read.kind === 'too_large') return { status: 413, outcome: 'rejected', reason: 'body_too_large', closeConnection: true };
    if (read.kind === 'incomplete') return { status: 400, outcome: 'rejected', reason: 'body_incomplete', closeConnection: true };
    exchange.body = read.body;

    const inbound: InboundRequest = { method: 'POST', path: exchange.path, query: exchange.query, headers: request.headers, body: read.body };
    const keys = integration.keysAt(now);
    const verdict = integration.scheme.verify(inbound, keys.active);
    // Most schemes answer synchronously: awaiting their plain value would still cost a turn of the microtask queue.
    const check = verdict instanceof Promise ? await verdict : verdict;
    if (!check.ok) {
      if (check.reason === 'signature_invalid' && keys.retired.length > 0) {
        const retired = await integration.scheme.verify(inbound, keys.retired);
        if (retired.ok) {
          exchange.secretId = retired.secretId;
          return { status: 401, outcome: 'rejected', reason: 'signature_retired_secret', detail: `signed with retired secret "${retired.secretId}"` };
        }
      }
      if (check.reason === 'signature_invalid' && this.diagnosisBudget.take(integration.id, DIAGNOSIS_BUDGET, now) === 0) {
        const found = await diagnoseSignatureFailure(integration, inbound, now, this.deps.integrations);
        if (found) return { status: 401, outcome: 'rejected', reason: check.reason, detail: found.detail, diagnosis: found.diagnosis };
      }
      return { status: 401, outcome: 'rejected', reason: check.reason, detail: check.detail };
    }
    exchange.secretId = check.secretId;

    if (check.signedAt !== undefined) {
      const skewMs = now - check.signedAt * 1000;
      exchange.skewMs = skewMs;
      if (skewMs > integration.toleranceMs) return { status: 401, outcome: 'rejected', reason: 'timestamp_stale', detail: `signed ${Math.round(skewMs / 1000)} s ago` };
      if (-skewMs > integration.toleranceMs) return { status: 401, outcome: 'rejected', reason: 'timestamp_future', detail: `signed ${Math.round(-skewMs / 1000)} s in the future` };
    }
    if (integration.rateLimit) {
      const taken = this.deps.rateLimiter.take(integration.id, integration.rateLimit, now);
      const wait = taken instanceof Promise ? await taken : taken;
      if (wait > 0) return { status: 429, outcome: 'rejected', reason: 'rate_limited', retryAfterSeconds: wait };
    }
    const refusal = this.deps.store.refusal();
    if (refusal !== undefined) return { status: 503, outcome: 'rejected', reason: 'store_unavailable', detail: refusal, retryAfterSeconds: STORE_RETRY_AFTER_SECONDS };

    const deliveryId = (integration.idHeader ? headerText(request, integration.idHeader) : undefined) ?? integration.scheme.deliveryId(inbound);
    exchange.deliveryId = deliveryId ?? null;
    const replayKeys: ReplayKey[] = [];
    if (deliveryId !== undefined) replayKeys.push({ kind: 'id', digest: replayDigest(integration.id, 'id', deliveryId), expiresAt: now + integration.idWindowMs });
    replayKeys.push({ kind: 'sig', digest: replayDigest(integration.id, 'sig', check.signature), expiresAt: now + integration.signatureWindowMs });
    const claimed = this.deps.replayCache.claim(replayKeys, now);
    // The single node's index answers at once: awaiting its plain value would still cost a turn of the microtask queue.
    const claim = claimed instanceof Promise ? await claimed : claimed;
    switch (claim.result) {
      case 'duplicate':
        return { status: 200, outcome: 'duplicate', reason: claim.key.kind === 'id' ? 'duplicate_id' : 'duplicate_signature' };
      case 'pending':
        return { status: 503, outcome: 'rejected', reason: 'duplicate_pending', retryAfterSeconds: PENDING_RETRY_AFTER_SECONDS };
      case 'unavailable':
        return { status: 503, outcome: 'rejected', reason: 'store_unavailable', detail: claim.detail, retryAfterSeconds: PENDING_RETRY_AFTER_SECONDS };
      case 'new':
        break;
    }

    if (integration.validateBody && !validJson(integration.validateBody, read.body)) {
      // A resend is judged again rather than called a duplicate of something never accepted.
      await this.deps.replayCache.release(replayKeys);
      return { status: 422, outcome: 'rejected', reason: 'schema_invalid' };
    }

    const capture = this.capture(exchange, integration, read.body);
    const storedKeys = this.deps.replayCache.durableKeys ? replayKeys : undefined;
    const mode = integration.kill?.mode;
    if (mode === 'drop') return { answer: DROPPED, capture, outbox: undefined, storedKeys, replayKeys };
    const held = mode === 'hold';
    return { answer: held ? HELD : ACCEPTED, capture, outbox: held ? 'held' : 'ready', storedKeys, replayKeys };
  }

  private capture(exchange: Exchange, integration: IntegrationRuntime, body: Buffer): DeliveryCapture {
    const headers = this.headers(exchange);
    return { query: exchange.query, headers: headers.capture, headersJson: headers.captureJson, body, expiresAt: exchange.receivedAt + integration.captureRetentionMs };
  }

  /** The request's headers, flattened and redacted once for the record and the capture. */
  private headers(exchange: Exchange): FlatHeaders {
    return (exchange.headers ??= flattenHeaders(exchange.request.headers, exchange.integration?.signatureHeaders ?? NO_HEADERS));
  }

  /** The first bytes of a rejected body, within the integration's per-minute budget; none for unknown paths. */
  private rejectedCapture(exchange: Exchange): DeliveryCapture | undefined {
    const { integration, body } = exchange;
    if (!integration || !body) return undefined;
    const { rejectedBytes, rejectedBytesPerMinute } = integration.capture;
    const kept = Math.min(body.length, rejectedBytes);
    if (rejectedBytes === 0 || !this.captureBudget.take(integration.id, kept, rejectedBytesPerMinute, exchange.receivedAt)) return undefined;
    const capture = this.capture(exchange, integration, body.subarray(0, kept));
    return kept < body.length ? { ...capture, truncatedFrom: body.length } : capture;
  }
}

function headerText(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text === '' ? undefined : text;
}

function validJson(validate: (body: unknown) => boolean, body: Buffer): boolean {
  try {
    return validate(JSON.parse(body.toString('utf8')));
  } catch {
    return false;
  }
}

function send({ response, requestId }: Exchange, answer: Answer): void {
  if (response.headersSent || response.destroyed) return;
  const body = `{"status":"${answer.outcome}","requestId":"${requestId}"}`;
  const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': body.length };
  if (answer.retryAfterSeconds !== undefined) headers['retry-after'] = answer.retryAfterSeconds;
  if (answer.closeConnection) headers.connection = 'close';
  if (answer.status === 405) headers.allow = 'POST';
  response.writeHead(answer.status, headers);
  response.end(body);
}
