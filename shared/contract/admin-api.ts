import { z } from 'zod';
import { DIAGNOSES, OUTCOMES, REASONS } from '../model/outcomes.js';
import { KILL_SWITCH_MODES } from '../model/kill-switch.js';
import { SCHEME_NAMES } from '../model/schemes.js';

/**
 * The receiver's admin API (`/admin/v1`, DESIGN §2.5): request and response bodies. The receiver
 * validates what it is sent and the console validates what it gets back, with these same schemas.
 */

export const TOKEN_SCOPES = ['read', 'operate', 'admin'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export const apiError = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
export type ApiError = z.infer<typeof apiError>;

const isoTime = z.iso.datetime({ offset: true });

export const nodeInfo = z.object({
  nodeId: z.string(),
  version: z.string(),
  startedAt: isoTime,
  uptimeSeconds: z.number(),
  storage: z.object({ ok: z.boolean(), detail: z.string().optional() }),
  redis: z.object({ ok: z.boolean(), detail: z.string().optional() }).optional(),
  /** Nodes that report the same value share their state (one Redis): a change sent to one reaches all. Null: standalone. */
  sharedState: z.string().nullable().optional(),
  /** The node's clock when it answered: the console's clock check compares it with its own, never with delivery skew. */
  time: isoTime.optional(),
  /** What `/readyz` says: the node takes traffic (store writable, Redis reachable in fleet mode, no commit stuck). */
  ready: z.boolean().optional(),
  /** Accepted deliveries not yet handed downstream. */
  downstream: z
    .object({ ok: z.boolean(), backlog: z.number().int(), oldestAgeSeconds: z.number().nullable(), detail: z.string().optional() })
    .optional(),
});
export type NodeInfo = z.infer<typeof nodeInfo>;

/** `GET /whoami`: what the calling token may do, so the console can disable what its scope cannot do. */
export const whoami = z.object({
  name: z.string(),
  scope: z.enum(TOKEN_SCOPES),
  /** Raw captured payloads (`GET /deliveries/{id}/raw`, redrive of bodies) need this permission on top of `read`. */
  payloads: z.boolean(),
});
export type Whoami = z.infer<typeof whoami>;

export const secretView = z.object({
  id: z.string(),
  createdAt: isoTime,
  expiresAt: isoTime.optional(),
  /** First 8 hex digits of the value's sha256: enough to tell secrets apart, useless to an attacker. */
  fingerprint: z.string().regex(/^[0-9a-f]{8}$/),
  state: z.enum(['active', 'expiring', 'expired', 'retired']),
  source: z.enum(['file', 'runtime']),
  /** Added with `pending`: it verifies, but the older secrets start expiring only when it is confirmed. */
  pending: z.boolean().optional(),
});
export type SecretView = z.infer<typeof secretView>;

export const killSwitchView = z.object({
  mode: z.enum(KILL_SWITCH_MODES),
  reason: z.string(),
  since: isoTime,
  actor: z.string(),
});

/** A JWS integration's key set, as the node last loaded it. */
export const jwsKeySetView = z.object({
  source: z.enum(['file', 'url']),
  keys: z.array(z.object({ kid: z.string().nullable(), alg: z.string().nullable(), kty: z.string() })),
  lastFetch: z.object({ at: isoTime, ok: z.boolean(), error: z.string().optional() }).nullable(),
  nextRefreshAt: isoTime.nullable(),
  verifiedByKid: z.array(z.object({ kid: z.string(), count: z.number().int(), lastAt: isoTime })),
  unknownKids: z.array(z.object({ kid: z.string(), count: z.number().int(), lastSeenAt: isoTime })),
});
export type JwsKeySetView = z.infer<typeof jwsKeySetView>;

export const integrationStatus = z.enum(['active', 'killed', 'held']);
export type IntegrationStatus = z.infer<typeof integrationStatus>;

export const integrationView = z.object({
  id: z.string(),
  scheme: z.enum(SCHEME_NAMES),
  path: z.string(),
  status: integrationStatus,
  kill: killSwitchView.nullable(),
  secrets: z.array(secretView),
  limits: z.object({
    toleranceSeconds: z.number(),
    dedupeWindowSeconds: z.number(),
    maxBodyBytes: z.number(),
    rateLimit: z.object({ perSecond: z.number(), burst: z.number() }).nullable(),
  }),
  heldCount: z.number().int(),
  counts24h: z.object({ total: z.number().int(), accepted: z.number().int(), rejected: z.number().int(), duplicate: z.number().int() }),
  lastDeliveryAt: isoTime.nullable(),
  /** Where the node's runtime state (admin API changes) differs from its config file. */
  drift: z.array(z.object({ field: z.string(), file: z.string(), runtime: z.string() })),
  jws: jwsKeySetView.optional(),
});
export type IntegrationView = z.infer<typeof integrationView>;
export const integrationList = z.object({ integrations: z.array(integrationView) });

/**
 * Control characters (C0, DEL, C1, NUL among them) and bidirectional overrides are removed, not refused: a
 * reason is shown in terminals, logs and the console, where an ANSI escape or an RTL override would
 * disguise what an operator wrote.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_TEXT = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
export function stripUnsafeText(text: string): string {
  return text.replace(UNSAFE_TEXT, '');
}
const reasonText = z
  .string()
  .transform(stripUnsafeText)
  .pipe(z.string().trim().min(1, 'a reason is required').max(500));

export const killRequest = z.strictObject({ mode: z.enum(KILL_SWITCH_MODES), reason: reasonText });
export const releaseRequest = z.strictObject({
  reason: reasonText,
  /** What happens to deliveries parked in hold mode: released downstream in arrival order (default) or discarded. */
  held: z.enum(['release', 'discard']).default('release'),
});
export const MAX_OVERLAP_SECONDS = 7 * 86_400;
export const addSecretRequest = z.strictObject({
  secret: z.string().min(1).max(4096),
  id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).optional(),
  overlapSeconds: z.number().int().min(0).max(MAX_OVERLAP_SECONDS).default(86_400),
  /**
   * Pending: the new secret verifies at once, but the older ones get no expiry until
   * `POST …/secrets/{secretId}/confirm` says the sender signs with the new one (the overlap starts then).
   */
  pending: z.boolean().default(false),
});
export const confirmSecretRequest = z.strictObject({
  overlapSeconds: z.number().int().min(0).max(MAX_OVERLAP_SECONDS).default(86_400),
});
export type ConfirmSecretRequest = z.input<typeof confirmSecretRequest>;
export type KillRequest = z.infer<typeof killRequest>;
export type ReleaseRequest = z.input<typeof releaseRequest>;
export type AddSecretRequest = z.input<typeof addSecretRequest>;

export const deliverySummary = z.object({
  seq: z.number().int(),
  requestId: z.string(),
  nodeId: z.string(),
  integrationId: z.string().nullable(),
  receivedAt: isoTime,
  sourceIp: z.string(),
  method: z.string(),
  path: z.string(),
  status: z.number().int(),
  outcome: z.enum(OUTCOMES),
  reason: z.enum(REASONS).nullable(),
  diagnosis: z.enum(DIAGNOSES).nullable(),
  secretId: z.string().nullable(),
  deliveryId: z.string().nullable(),
  bodySize: z.number().int(),
  skewMs: z.number().nullable(),
  latencyUs: z.number().int(),
});
export type DeliverySummary = z.infer<typeof deliverySummary>;

export const deliveryPage = z.object({ deliveries: z.array(deliverySummary), nextCursor: z.string().nullable() });
export type DeliveryPage = z.infer<typeof deliveryPage>;

export const deliveryDetail = deliverySummary.extend({
  headers: z.record(z.string(), z.string()),
  bodySha256: z.string().nullable(),
  detail: z.string().nullable(),
  captured: z.boolean(),
  /** The verification steps as the receiver took them, for the console's detail drawer. */
  trace: z.array(z.object({ step: z.string(), result: z.string() })),
});
export type DeliveryDetail = z.infer<typeof deliveryDetail>;

export const rawDelivery = z.object({
  requestId: z.string(),
  integrationId: z.string(),
  method: z.string(),
  path: z.string(),
  query: z.string(),
  headers: z.record(z.string(), z.string()),
  bodyBase64: z.string(),
});
export type RawDelivery = z.infer<typeof rawDelivery>;

const csv = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .transform((text) => text.split(',').filter(Boolean))
    .pipe(z.array(z.enum(values)));

export const deliveryQuery = z.strictObject({
  integration: z.string().optional(),
  outcome: csv(OUTCOMES).optional(),
  reason: csv(REASONS).optional(),
  since: isoTime.optional(),
  until: isoTime.optional(),
  /** Search: the provider's event / delivery id, the node's request id, the sender's address. */
  deliveryId: z.string().min(1).max(200).optional(),
  requestId: z.string().min(1).max(64).optional(),
  sourceIp: z.string().min(1).max(64).optional(),
  cursor: z.string().regex(/^\d+$/).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type DeliveryQuery = z.infer<typeof deliveryQuery>;

export const streamQuery = z.strictObject({
  integration: z.string().optional(),
  outcome: csv(OUTCOMES).optional(),
  sample: z.coerce.number().min(0).max(1).default(1),
});
export type StreamQuery = z.infer<typeof streamQuery>;

export const statsQuery = z.strictObject({
  since: isoTime.optional(),
  /** Bucket width in seconds, a multiple of 60. */
  step: z.coerce.number().int().min(60).max(86_400).multipleOf(60).default(60),
});
export type StatsQuery = z.infer<typeof statsQuery>;

export const statsView = z.object({
  nodeId: z.string(),
  since: isoTime,
  step: z.number().int(),
  buckets: z.array(
    z.object({ start: isoTime, integrationId: z.string(), outcome: z.enum(OUTCOMES), reason: z.enum(REASONS).nullable(), count: z.number().int() }),
  ),
  bySecret: z.array(z.object({ start: isoTime, integrationId: z.string(), secretId: z.string(), count: z.number().int() })),
  diagnoses: z.array(z.object({ integrationId: z.string(), diagnosis: z.enum(DIAGNOSES), count: z.number().int() })),
  clockSkewMs: z.object({ count: z.number().int(), p50: z.number().nullable(), p95: z.number().nullable(), p99: z.number().nullable(), max: z.number().nullable() }),
  replayCache: z.object({ hits: z.number().int(), size: z.number().int() }),
  topRejectedSources: z.array(z.object({ sourceIp: z.string(), count: z.number().int() })),
});
export type StatsView = z.infer<typeof statsView>;

export const auditEntry = z.object({
  seq: z.number().int(),
  at: isoTime,
  actor: z.string(),
  action: z.string(),
  integrationId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  /** Who sat at the console (OS user@host, sent by the console), next to the token's name in `actor`. */
  person: z.string().nullable().optional(),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof auditEntry>;
export const auditLog = z.object({
  entries: z.array(auditEntry),
  chain: z.object({ verified: z.boolean(), brokenAt: z.number().int().optional() }),
  /** Older entries: pass as `cursor`. Null at the start of the chain. */
  nextCursor: z.string().nullable().optional(),
});
export type AuditLog = z.infer<typeof auditLog>;
export const auditQuery = z.strictObject({
  cursor: z.string().regex(/^\d+$/).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
export type AuditQuery = z.infer<typeof auditQuery>;

/** `POST /deliveries/redrive`: re-enqueue captured accepted or held deliveries downstream, once per request, audited. */
export const redriveRequest = z
  .strictObject({
    integration: z.string().min(1),
    since: isoTime.optional(),
    until: isoTime.optional(),
    outcome: z.array(z.enum(['accepted', 'held'])).min(1).default(['accepted', 'held']),
    requestIds: z.array(z.string().min(1).max(64)).min(1).max(100).optional(),
    /** Count what would be re-enqueued, change nothing: the console shows the count before the operator confirms. */
    dryRun: z.boolean().default(false),
  })
  .refine((request) => request.since !== undefined || request.requestIds !== undefined, {
    message: 'give since (a time range) or requestIds',
    path: ['since'],
  });
export type RedriveRequest = z.input<typeof redriveRequest>;
export const redriveResult = z.object({ matched: z.number().int(), requeued: z.number().int(), dryRun: z.boolean() });
export type RedriveResult = z.infer<typeof redriveResult>;
