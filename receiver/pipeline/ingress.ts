import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Diagnosis, Outcome, Reason } from '../../shared/model/outcomes.js';
import type { InboundRequest } from '../schemes/scheme.js';
import type { CapturedRequest, DeliveryRecord, DeliveryWrite, ReplayKey } from '../store/delivery-record.js';
import type { ReplayCache } from '../store/replay-cache.js';
import type { AddressList } from './address-list.js';
import type { DeliveryFeed } from './delivery-feed.js';
import { diagnoseSignatureFailure } from './diagnose.js';
import type { IntegrationRuntime } from './integration-runtime.js';
import type { RateLimiter } from './rate-limiter.js';
import { readBody } from './read-body.js';
import { headersForCapture, headersForLog } from './redact-headers.js';
import { sourceAddress } from './source-address.js';
import { TokenBuckets } from './token-buckets.js';

export interface IngressDependencies {
  readonly integrations: readonly IntegrationRuntime[];
  /** Resolves with the record's log position once the write is durable. */
  readonly store: { write(write: DeliveryWrite): Promise<number> };
  readonly replayCache: ReplayCache;
  readonly rateLimiter: RateLimiter;
  readonly feed: DeliveryFeed;
  readonly observe: (record: DeliveryRecord) => void;
  readonly trustedProxies: AddressList | undefined;
  readonly now: () => number;
  readonly onStoreError: (error: unknown) => void;
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

/** What the path learnt about the delivery on the way, for its log record. */
interface Trace {
  body: Buffer | undefined;
  secretId: string | null;
  deliveryId: string | null;
  skewMs: number | null;
}

const KILL_RETRY_AFTER_SECONDS = 60;
const STORE_RETRY_AFTER_SECONDS = 5;
const DIAGNOSIS_BUDGET = { perSecond: 5, burst: 10 };

/**
 * The path of one delivery (DESIGN §2.1), cheap checks first and stateful ones last. Every request
 * ends in exactly one Answer and one log record; 202 is sent only after the delivery is durable.
 */
export class Ingress {
  private readonly byPath: ReadonlyMap<string, IntegrationRuntime>;
  private readonly diagnosisBudget = new TokenBuckets(10_000);

  constructor(private readonly deps: IngressDependencies) {
    this.byPath = new Map(deps.integrations.map((integration) => [integration.path, integration]));
  }

  readonly handle = (request: IncomingMessage, response: ServerResponse): void => {
    const started = performance.now();
    const receivedAt = this.deps.now();
    const requestId = randomUUID();
    const url = request.url ?? '/';
    const queryStart = url.indexOf('?');
    const path = queryStart < 0 ? url : url.slice(0, queryStart);
    const query = queryStart < 0 ? '' : url.slice(queryStart);
    const integration = this.byPath.get(path);
    const trace: Trace = { body: undefined, secretId: null, deliveryId: null, skewMs: null };
    const source = sourceAddress(request, this.deps.trustedProxies);

    const finish = (answer: Answer, write?: Omit<DeliveryWrite, 'record'>): Promise<void> => {
      const record: DeliveryRecord = {
        requestId,
        integrationId: integration?.id ?? null,
        receivedAt,
        sourceIp: source,
        method: request.method ?? '',
        path,
        headers: headersForLog(request.headers, integration?.signatureHeaders ?? NO_HEADERS),
        bodySize: trace.body?.length ?? 0,
        bodySha256: trace.body ? createHash('sha256').update(trace.body).digest('hex') : null,
        status: answer.status,
        outcome: answer.outcome,
        reason: answer.reason,
        detail: answer.detail ?? null,
        diagnosis: answer.diagnosis ?? null,
        secretId: trace.secretId,
        deliveryId: trace.deliveryId,
        skewMs: trace.skewMs,
        latencyUs: Math.round((performance.now() - started) * 1000),
      };
      const stored = this.deps.store.write({ ...write, record });
      return stored.then((seq) => {
        this.deps.observe(record);
        this.deps.feed.publish({ ...record, seq });
      });
    };

    const answerNow = (answer: Answer): void => {
      send(response, answer, requestId);
      finish(answer, this.captureOf(integration, query, request, trace)).catch(this.deps.onStoreError);
    };

    if (!integration) return answerNow({ status: 404, outcome: 'rejected', reason: 'not_found' });
    if (request.method !== 'POST') return answerNow({ status: 405, outcome: 'rejected', reason: 'method_not_allowed' });

    this.verifyAndStore(integration, request, path, query, source, receivedAt, trace)
      .then(async (result) => {
        if ('store' in result) {
          try {
            await finish(result.answer, result.store);
          } catch (error) {
            await this.deps.replayCache.settle(result.store.replayKeys ?? [], false);
            this.deps.onStoreError(error);
            return answerNow({ status: 503, outcome: 'rejected', reason: 'store_unavailable', retryAfterSeconds: STORE_RETRY_AFTER_SECONDS });
          }
          await this.deps.replayCache.settle(result.store.replayKeys ?? [], true);
          send(response, result.answer, requestId);
          return;
        }
        answerNow(result);
      })
      .catch((error: unknown) => {
        this.deps.onStoreError(error);
        answerNow({ status: 503, outcome: 'rejected', reason: 'store_unavailable', retryAfterSeconds: STORE_RETRY_AFTER_SECONDS });
      });
  };

  /** Steps 2-10: resolves to a final Answer, or to an Answer that may be sent only once its write is durable. */
  private async verifyAndStore(
    integration: IntegrationRuntime,
    request: IncomingMessage,
    path: string,
    query: string,
    source: string,
    now: number,
    trace: Trace,
  ): Promise<Answer | { answer: Answer; store: Omit<DeliveryWrite, 'record'> }> {
    const kill = integration.kill;
    if (kill?.mode === 'reject') {
      return { status: 503, outcome: 'rejected', reason: 'killed', detail: kill.reason, retryAfterSeconds: KILL_RETRY_AFTER_SECONDS };
    }
    if (integration.allowIps && !integration.allowIps.has(source)) {
      return { status: 403, outcome: 'rejected', reason: 'ip_not_allowed' };
    }
    const limited = await this.rateLimited(integration, source, now);
    if (limited > 0) return { status: 429, outcome: 'rejected', reason: 'rate_limited', retryAfterSeconds: limited };

    const read = await readBody(request, integration.maxBodyBytes);
    if (read.kind === 'too_large') return { status: 413, outcome: 'rejected', reason: 'body_too_large', closeConnection: true };
    if (read.kind === 'incomplete') return { status: 400, outcome: 'rejected', reason: 'body_incomplete', closeConnection: true };
    trace.body = read.body;

    const inbound: InboundRequest = { method: 'POST', path, query, headers: request.headers, body: read.body };
    const keys = integration.keysAt(now);
    const check = await integration.scheme.verify(inbound, keys.active);
    if (!check.ok) {
      if (check.reason === 'signature_invalid' && keys.retired.length > 0) {
        const retired = await integration.scheme.verify(inbound, keys.retired);
        if (retired.ok) {
          trace.secretId = retired.secretId;
          return { status: 401, outcome: 'rejected', reason: 'signature_retired_secret', detail: `signed with retired secret "${retired.secretId}"` };
        }
      }
      if (check.reason === 'signature_invalid' && this.diagnosisBudget.take(integration.id, DIAGNOSIS_BUDGET, now) === 0) {
        const found = await diagnoseSignatureFailure(integration, inbound, now, this.deps.integrations);
        if (found) return { status: 401, outcome: 'rejected', reason: check.reason, detail: found.detail, diagnosis: found.diagnosis };
      }
      return { status: 401, outcome: 'rejected', reason: check.reason, detail: check.detail };
    }
    trace.secretId = check.secretId;

    if (check.signedAt !== undefined) {
      const skewMs = now - check.signedAt * 1000;
      trace.skewMs = skewMs;
      if (skewMs > integration.toleranceMs) return { status: 401, outcome: 'rejected', reason: 'timestamp_stale', detail: `signed ${Math.round(skewMs / 1000)} s ago` };
      if (-skewMs > integration.toleranceMs) return { status: 401, outcome: 'rejected', reason: 'timestamp_future', detail: `signed ${Math.round(-skewMs / 1000)} s in the future` };
    }

    const deliveryId = (integration.idHeader ? headerText(request, integration.idHeader) : undefined) ?? integration.scheme.deliveryId(inbound);
    trace.deliveryId = deliveryId ?? null;
    const replayKeys: ReplayKey[] = [];
    if (deliveryId !== undefined) replayKeys.push({ key: `${integration.id}|id|${deliveryId}`, expiresAt: now + integration.idWindowMs });
    replayKeys.push({ key: `${integration.id}|sig|${check.signature}`, expiresAt: now + integration.signatureWindowMs });
    const claim = await this.deps.replayCache.claim(replayKeys, now);
    if (claim.result === 'seen') {
      const reason = claim.key === replayKeys[0] && deliveryId !== undefined ? 'duplicate_id' : 'duplicate_signature';
      return { status: 200, outcome: 'duplicate', reason };
    }

    if (integration.validateBody && !validJson(integration.validateBody, read.body)) {
      await this.deps.replayCache.settle(replayKeys, false);
      return { status: 422, outcome: 'rejected', reason: 'schema_invalid' };
    }

    const capture = this.captureOf(integration, query, request, trace);
    const mode = integration.kill?.mode;
    if (mode === 'drop') return { answer: { status: 202, outcome: 'dropped', reason: 'killed' }, store: { ...capture, replayKeys } };
    const held = mode === 'hold';
    return {
      answer: { status: 202, outcome: held ? 'held' : 'accepted', reason: null },
      store: { ...capture, outbox: held ? 'held' : 'ready', replayKeys },
    };
  }

  private async rateLimited(integration: IntegrationRuntime, source: string, now: number): Promise<number> {
    if (integration.rateLimit) {
      const wait = await this.deps.rateLimiter.take(integration.id, integration.rateLimit, now);
      if (wait > 0) return wait;
    }
    if (integration.perSourceLimit) return this.deps.rateLimiter.take(`${integration.id}|${source}`, integration.perSourceLimit, now);
    return 0;
  }

  private captureOf(
    integration: IntegrationRuntime | undefined,
    query: string,
    request: IncomingMessage,
    trace: Trace,
  ): { capture?: CapturedRequest } {
    if (!integration || !trace.body) return {};
    return {
      capture: { query, headers: headersForCapture(request.headers), body: trace.body, expiresAt: this.deps.now() + integration.captureRetentionMs },
    };
  }
}

const NO_HEADERS: ReadonlySet<string> = new Set();

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

function send(response: ServerResponse, answer: Answer, requestId: string): void {
  if (response.headersSent || response.destroyed) return;
  const body = `{"status":"${answer.outcome}","requestId":"${requestId}"}`;
  const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': body.length };
  if (answer.retryAfterSeconds !== undefined) headers['retry-after'] = answer.retryAfterSeconds;
  if (answer.closeConnection) headers.connection = 'close';
  if (answer.status === 405) headers.allow = 'POST';
  response.writeHead(answer.status, headers);
  response.end(body);
}
