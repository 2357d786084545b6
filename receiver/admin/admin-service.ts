import type {
  AddSecretRequest,
  AuditLog,
  AuditQuery,
  ConfirmSecretRequest,
  DeliveryDetail,
  DeliveryPage,
  DeliveryQuery,
  DeliverySummary,
  IntegrationView,
  KillRequest,
  NodeInfo,
  RawDelivery,
  RedriveRequest,
  RedriveResult,
  ReleaseRequest,
  StatsQuery,
  StatsView,
} from '../../shared/contract/admin-api.js';
import type { RefusalSummary } from './refusal-audit.js';

/** An error the admin API answers with its status and `{"error": {code, message}}`. */
export class AdminError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra response headers, e.g. Retry-After. */
    readonly headers: Readonly<Record<string, string | number>> = {},
  ) {
    super(message);
    this.name = 'AdminError';
  }
}

/** Who made an admin call: the token's name, or `mtls:<subject>`; recorded in the audit log. */
export interface Actor {
  readonly name: string;
  readonly sourceIp: string;
  /** Who sat at the console (`X-Hookwarden-Person`, sanitised), when it said. */
  readonly person?: string | null;
}

/** The read side of the admin API. */
export interface AdminQueries {
  node(): NodeInfo;
  integrations(): IntegrationView[];
  deliveries(query: DeliveryQuery): DeliveryPage;
  /** undefined → 404. */
  delivery(requestId: string): DeliveryDetail | undefined;
  raw(requestId: string): RawDelivery | undefined;
  stats(query: StatsQuery): StatsView;
  /** A page of the audit log, newest first (the newest 200 without a query). */
  audit(query?: Partial<AuditQuery>): AuditLog;
  /** Deliveries after `seq` in log order, for resuming a stream (at most `limit`). */
  deliveriesAfter(seq: number, limit: number): DeliverySummary[];
  /** Live deliveries as they are committed; returns the unsubscribe function. */
  subscribe(listener: (delivery: DeliverySummary) => void): () => void;
}

/** The write side: every method audits itself and answers the integration's new state. Unknown id → AdminError 404. */
export interface AdminCommands {
  kill(actor: Actor, integrationId: string, request: KillRequest): Promise<IntegrationView>;
  release(actor: Actor, integrationId: string, request: ReleaseRequest): Promise<IntegrationView>;
  addSecret(actor: Actor, integrationId: string, request: AddSecretRequest): Promise<IntegrationView>;
  retireSecret(actor: Actor, integrationId: string, secretId: string): Promise<IntegrationView>;
  /** Re-enqueues captured accepted or held deliveries downstream, each once per request; audited unless `dryRun`. */
  redrive(actor: Actor, request: RedriveRequest): Promise<RedriveResult>;
  /** The sender signs with a pending secret now: the older secrets' overlap starts. */
  confirmSecret(actor: Actor, integrationId: string, secretId: string, request: ConfirmSecretRequest): Promise<IntegrationView>;
  /** Refused admin requests (no token, wrong token, missing scope, throttled), summed up per caller and minute. */
  auditRefusal(summary: RefusalSummary): void;
  /** Every read of a raw captured payload is audited: payloads hold personal data. */
  auditPayloadRead(actor: Actor, requestId: string, integrationId: string): void;
}
