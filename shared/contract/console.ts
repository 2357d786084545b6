import { z } from 'zod';
import { auditEntry, auditLog, deliveryDetail, deliveryQuery, deliverySummary, integrationView, MAX_OVERLAP_SECONDS, nodeInfo, rawDelivery, statsView, TOKEN_SCOPES } from './admin-api.js';
import { KILL_SWITCH_MODES } from '../model/kill-switch.js';
import { OUTCOMES, REASONS } from '../model/outcomes.js';

/**
 * The console's contract (DESIGN §3.2): every command the renderer may call, with its input and
 * result schemas, and the events the main process pushes. Declared once; the IPC binding, the
 * preload's `window.hookwarden`, browser mode's /rpc and the renderer's client all derive from it.
 * The main process validates every input with these schemas; results are typed by them.
 */

const fleetId = z.string().regex(/^[a-z0-9-]{1,64}$/, 'must be a fleet id');
/** The built-in local receiver appears as a fleet with this id. */
export const LOCAL_FLEET_ID = 'local';
const nodeUrl = z
  .url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' })
  // Checked before anything is written: a password in a URL would end up in the settings file and in messages.
  .refine((url) => !/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(url), 'must not carry a user name or password (the token is given separately)');
const sha256Fingerprint = z
  .string()
  .regex(/^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$|^[0-9A-Fa-f]{64}$/, 'must be a SHA-256 certificate fingerprint (64 hex digits, colons allowed)');
const pemCertificate = z.string().includes('-----BEGIN CERTIFICATE-----', { message: 'must be a PEM certificate' }).max(64 * 1024);

export const nodeResult = z.object({
  url: z.string(),
  ok: z.boolean(),
  error: z.string().optional(),
  /** Why it failed, for programs: `scope_insufficient` (the token may not do this), `node_unreachable`, … */
  code: z.string().optional(),
});
export type NodeResult = z.infer<typeof nodeResult>;
const fanOut = z.object({ nodes: z.array(nodeResult) });

/** Where a fleet's admin token lives: the OS keychain, memory for this session, or nowhere (lost: ask again). */
export const tokenStorage = z.enum(['keychain', 'session', 'missing']);

/** What went wrong when calling a node, named for what it is. */
export const TEST_FAILURES = ['unreachable', 'tls', 'token_refused', 'scope', 'throttled', 'not_admin_api', 'duplicate_node_id'] as const;
export type TestFailure = (typeof TEST_FAILURES)[number];

/**
 * A node's health as the console sees it (DESIGN §5): `up` answers and takes traffic, `refusing`
 * answers but is not ready (its store or Redis is down: senders get 503), `down` does not answer,
 * `unknown` answers but would not say (the token was refused).
 */
export const nodeHealth = z.object({
  state: z.enum(['up', 'refusing', 'down', 'unknown']),
  /** The node's own readiness; `unknown` for a node too old to report it. */
  readiness: z.enum(['ready', 'not-ready', 'unknown']),
  /** In plain words: "Redis unreachable", "downstream backlog 1,204 (oldest 6 min)", "connection refused". */
  problems: z.array(z.string()),
  /** The node's clock minus the console's, corrected by half the round trip; null when the node does not report its time. */
  clockOffsetMs: z.number().nullable(),
  /** Half the round trip of the call that measured it: the offset is known to within this. */
  clockUncertaintyMs: z.number().nullable(),
});
export type NodeHealth = z.infer<typeof nodeHealth>;

export const fleetHealth = z.object({
  state: z.enum(['healthy', 'degraded', 'refusing', 'down']),
  up: z.number().int(),
  total: z.number().int(),
  /** "2 of 2 nodes up, refusing traffic: Redis unreachable". */
  summary: z.string(),
});
export type FleetHealth = z.infer<typeof fleetHealth>;

/** What the fleet's token may do, from the node's `GET /whoami`; null while unknown (a node too old to say). */
const tokenScope = z.enum(TOKEN_SCOPES).nullable();

export const fleetSummary = z.object({
  id: z.string(),
  name: z.string(),
  tokenStorage,
  /** `ok`: the node answers and takes traffic. */
  nodes: z.array(
    z.object({
      url: z.string(),
      ok: z.boolean(),
      version: z.string().optional(),
      nodeId: z.string().optional(),
      error: z.string().optional(),
      failure: z.enum(TEST_FAILURES).optional(),
      health: nodeHealth.optional(),
    }),
  ),
  /** Always set by the console; optional so that older fixtures and scripts keep their shape. */
  health: fleetHealth.optional(),
  scope: tokenScope.optional(),
  /** Why the fleet could not be looked at (its token is gone, its settings are unusable): its nodes are not asked. */
  problem: z.string().optional(),
});
export type FleetSummary = z.infer<typeof fleetSummary>;

const fleetConnection = {
  name: z.string().trim().min(1, 'a name is required').max(80),
  nodes: z.array(z.strictObject({ url: nodeUrl })).min(1, 'at least one node URL is required').max(50),
  ca: pemCertificate.optional(),
  fingerprint: sha256Fingerprint.optional(),
};

export const nodeTest = z.object({
  url: z.string(),
  reachable: z.boolean(),
  tls: z.enum(['ok', 'failed', 'plain-http']),
  tokenOk: z.boolean(),
  /** From the node's `GET /whoami`; absent when the node does not say (an older node). */
  scope: z.enum(TOKEN_SCOPES).optional(),
  version: z.string().optional(),
  nodeId: z.string().optional(),
  error: z.string().optional(),
  failure: z.enum(TEST_FAILURES).optional(),
  /** Readiness and dependencies, when the node answered. */
  health: nodeHealth.optional(),
});
export type NodeTest = z.infer<typeof nodeTest>;

const integrationEntry = integrationView.extend({
  fleetId: z.string(),
  /** Per node where the fleet has several: status and secret ids, to show drift between nodes. */
  nodes: z.array(z.object({ url: z.string(), status: z.string(), secretIds: z.array(z.string()) })),
  /** Plain-words warnings: dedupe window shorter than the sender's retry horizon, and the like. */
  warnings: z.array(z.string()),
});
export type IntegrationEntry = z.infer<typeof integrationEntry>;

const fleetDelivery = deliverySummary.extend({ fleetId: z.string(), nodeUrl: z.string() });
export type FleetDelivery = z.infer<typeof fleetDelivery>;

export const sendTestVariants = ['valid', 'wrong-secret', 'expired', 'replay'] as const;
/** Schemes the local receiver can sign test deliveries for: every one but jws, plus Svix's header set. */
export const TEST_SCHEMES = ['standard-webhooks', 'svix', 'stripe', 'github', 'slack', 'shopify', 'twilio', 'hmac'] as const;
const testScheme = z.enum(TEST_SCHEMES);

const localStatus = z.object({
  running: z.boolean(),
  url: z.string().nullable(),
  /** The port it listens on, or will when started: remembered, 4455 unless the operator chose another. */
  port: z.number().int(),
  integrations: z.array(z.object({ id: z.string(), scheme: z.string(), path: z.string() })),
});
export type LocalReceiverStatus = z.infer<typeof localStatus>;

const replayTarget = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('local'), integrationId: z.string().optional() }),
  z.strictObject({ kind: z.literal('url'), url: nodeUrl }),
]);

export const replayResult = z.object({
  requestId: z.string(),
  status: z.number().int(),
  headers: z.record(z.string(), z.string()),
  body: z.string(),
  /** The local receiver's verification trace of the replayed delivery, when it went there. */
  trace: z.array(z.object({ step: z.string(), result: z.string() })).optional(),
});
export type ReplayResult = z.infer<typeof replayResult>;

const streamStates = z.object({
  nodes: z.array(z.object({ fleetId: z.string(), url: z.string(), state: z.enum(['connecting', 'live', 'retrying']), error: z.string().optional() })),
});

/** A retry aimed at some nodes of the fleet only (the ones that failed); all nodes when absent. */
const onlyNodes = z.array(z.string()).min(1).max(50).optional();

/** What happened to the deliveries held in hold mode when the switch was released. */
export const heldOutcome = z.object({ disposition: z.enum(['release', 'discard']), count: z.number().int() });
export type HeldOutcome = z.infer<typeof heldOutcome>;

export const alertKinds = ['signature_failures', 'unknown_sources', 'clock_skew', 'fleet_refusing', 'node_refusing', 'node_down', 'recovered'] as const;

export const alertEvent = z.object({
  /** Unique per console session: what the notification list acknowledges by. */
  id: z.string(),
  kind: z.enum(alertKinds),
  fleetId: z.string(),
  integrationId: z.string().optional(),
  nodeUrl: z.string().optional(),
  message: z.string(),
  at: z.string(),
});
export type AlertEvent = z.infer<typeof alertEvent>;
const notification = alertEvent.extend({ acknowledged: z.boolean() });
export type AlertNotification = z.infer<typeof notification>;

function command<I extends z.ZodType, O extends z.ZodType>(input: I, output: O) {
  return { input, output };
}

/** Trimmed: a paste picks up a line break, and no provider's secret starts or ends with whitespace. */
const pastedSecret = z.string().trim().min(1, 'paste the secret the provider gave').max(4096);
const overlapSeconds = z.number().int().min(0).max(MAX_OVERLAP_SECONDS).default(86_400);

/**
 * Rotation (DESIGN §5): the new secret is added pending on every node, generated by the console
 * (`generate` schemes) or pasted from the provider (`paste` schemes: `secret`). Both secrets verify;
 * the old one starts expiring only when `integrations.confirmSecret` says the sender signs with the new.
 */
const rotationCommands = {
  'integrations.rotateSecret': command(
    z.strictObject({
      fleetId,
      integrationId: z.string().min(1),
      /** Where the provider issues the secret (Stripe, Slack, Shopify, Twilio): the one it gave. */
      secret: pastedSecret.optional(),
      /** Without `pending: false`, the old secret keeps verifying, without expiry, until the new one is confirmed. */
      pending: z.boolean().default(true),
      overlapSeconds,
      keepCopy: z.boolean().default(false),
    }),
    z.object({
      secretId: z.string(),
      /** Only a secret the console generated, shown once; a pasted one is never sent back. */
      secret: z.string().optional(),
      pending: z.boolean(),
      expiresOld: z.string().optional(),
      nodes: z.array(nodeResult),
    }),
  ),
  'integrations.confirmSecret': command(
    z.strictObject({ fleetId, integrationId: z.string().min(1), secretId: z.string().min(1), overlapSeconds }),
    z.object({ expiresOld: z.string(), nodes: z.array(nodeResult) }),
  ),
} as const;

/** Every node's audit chain as one fleet timeline, newest first, paged; each chain's state stays per node. */
const auditCommands = {
  'audit.timeline': command(
    z.strictObject({ fleetId, cursor: z.string().max(4096).optional(), limit: z.number().int().min(1).max(500).default(100) }),
    z.object({
      entries: z.array(auditEntry.extend({ nodeUrl: z.string() })),
      nodes: z.array(z.object({ url: z.string(), chain: auditLog.shape.chain.optional(), error: z.string().optional() })),
      nextCursor: z.string().nullable(),
    }),
  ),
} as const;

/** Re-sends captured accepted or held deliveries downstream (DESIGN §5): each node redrives what it captured. */
const redriveCommands = {
  'deliveries.redrive': command(
    z
      .strictObject({
        fleetId,
        integrationId: z.string().min(1),
        requestIds: z.array(z.string().min(1).max(64)).min(1).max(100).optional(),
        since: z.iso.datetime({ offset: true }).optional(),
        until: z.iso.datetime({ offset: true }).optional(),
        outcome: z.array(z.enum(['accepted', 'held'])).min(1).optional(),
        dryRun: z.boolean().default(false),
      })
      .refine((input) => input.since !== undefined || input.requestIds !== undefined, { message: 'give since (a time range) or requestIds', path: ['since'] })
      .refine((input) => input.since === undefined || input.until === undefined || Date.parse(input.since) < Date.parse(input.until), { message: 'must be after since', path: ['until'] }),
    z.object({
      dryRun: z.boolean(),
      matched: z.number().int(),
      requeued: z.number().int(),
      nodes: z.array(nodeResult.extend({ matched: z.number().int().optional(), requeued: z.number().int().optional() })),
    }),
  ),
} as const;

/** The local receiver's secrets: shown on request, and set to a provider's test secret (`stripe listen` prints one). */
const localSecretCommands = {
  'localReceiver.secret': command(z.strictObject({ integrationId: z.string().min(1) }), z.object({ integrationId: z.string(), secretId: z.string(), secret: z.string() })),
  'localReceiver.setSecret': command(
    z.strictObject({ integrationId: z.string().min(1), secret: pastedSecret }),
    z.object({ integrationId: z.string(), secretId: z.string(), fingerprint: z.string() }),
  ),
} as const;

export const commands = {
  'fleets.add': command(
    z.strictObject({ ...fleetConnection, token: z.string().min(1, 'a token is required').max(4096), remember: z.boolean().default(true) }),
    z.object({ id: z.string(), name: z.string(), nodes: z.array(nodeResult) }),
  ),
  'fleets.update': command(
    z.strictObject({ id: fleetId, ...fleetConnection, token: z.string().min(1).max(4096).optional(), remember: z.boolean().optional() }),
    z.object({ id: z.string(), name: z.string(), nodes: z.array(nodeResult) }),
  ),
  'fleets.list': command(z.strictObject({}), z.array(fleetSummary)),
  'fleets.remove': command(z.strictObject({ id: fleetId }), z.object({ removed: z.boolean() })),
  'fleets.test': command(
    z.union([z.strictObject({ id: fleetId }), z.strictObject({ ...fleetConnection, token: z.string().min(1).max(4096) })]),
    z.object({ nodes: z.array(nodeTest) }),
  ),
  'nodes.info': command(z.strictObject({ fleetId }), z.array(z.object({ url: z.string(), info: nodeInfo.optional(), error: z.string().optional() }))),
  'integrations.list': command(z.strictObject({ fleetId: fleetId.optional() }), z.array(integrationEntry)),
  'integrations.kill': command(
    z.strictObject({
      fleetId,
      integrationId: z.string().min(1),
      mode: z.enum(KILL_SWITCH_MODES),
      reason: z.string().trim().min(1, 'a reason is required').max(500),
      nodeUrls: onlyNodes,
    }),
    fanOut,
  ),
  'integrations.resume': command(
    z.strictObject({
      fleetId,
      integrationId: z.string().min(1),
      reason: z.string().trim().min(1, 'a reason is required').max(500),
      held: z.enum(['release', 'discard']).default('release'),
      nodeUrls: onlyNodes,
    }),
    fanOut.extend({ held: heldOutcome.optional() }),
  ),
  ...rotationCommands,
  'integrations.retireSecret': command(z.strictObject({ fleetId, integrationId: z.string().min(1), secretId: z.string().min(1) }), fanOut),
  'deliveries.list': command(
    z.strictObject({
      fleetId,
      integrationId: z.string().optional(),
      outcome: z.array(z.enum(OUTCOMES)).optional(),
      reason: z.array(z.enum(REASONS)).optional(),
      /** Search, done by the nodes: the provider's event / delivery id, the node's request id, the sender's address. */
      deliveryId: deliveryQuery.shape.deliveryId,
      requestId: deliveryQuery.shape.requestId,
      sourceIp: deliveryQuery.shape.sourceIp,
      /** One node of the fleet only (its admin URL). */
      nodeUrl: z.string().optional(),
      cursor: z.string().optional(),
      limit: z.number().int().min(1).max(500).default(100),
    }),
    z.object({
      deliveries: z.array(fleetDelivery),
      nextCursor: z.string().nullable(),
      /** Nodes that did not answer: the page lacks their deliveries. */
      errors: z.array(z.object({ url: z.string(), error: z.string() })).optional(),
    }),
  ),
  /** Every followed node's stream state now (a window opened later has seen no `streams` event); also announced as that event. */
  'deliveries.streams': command(z.strictObject({}), streamStates),
  'deliveries.get': command(z.strictObject({ fleetId, nodeUrl: z.string().optional(), requestId: z.string().min(1) }), deliveryDetail.extend({ fleetId: z.string(), nodeUrl: z.string() })),
  /** The captured request (headers with credentials removed, body as base64), for the detail drawer's body view and download. */
  'deliveries.raw': command(z.strictObject({ fleetId, nodeUrl: z.string().optional(), requestId: z.string().min(1) }), rawDelivery),
  'deliveries.replay': command(
    z.strictObject({
      fleetId,
      nodeUrl: z.string().optional(),
      requestId: z.string().min(1),
      target: replayTarget,
      mode: z.enum(['as-captured', 're-signed']),
      /** With `re-signed`: an edited body to sign instead of the captured one. */
      body: z.string().max(1024 * 1024).optional(),
      /** Headers to set (or, with an empty value, remove) on the replayed request; a re-signed replay signs over them. */
      headers: z.record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/, 'must be an HTTP header name'), z.string().max(8192).regex(/^[^\r\n\0]*$/, 'must be one line')).optional(),
    }),
    replayResult,
  ),
  'stats.get': command(
    z.strictObject({ fleetId, since: z.iso.datetime({ offset: true }).optional(), step: z.number().int().min(60).max(86_400).optional() }),
    z.array(z.object({ url: z.string(), stats: statsView.optional(), error: z.string().optional() })),
  ),
  'audit.list': command(z.strictObject({ fleetId }), z.array(z.object({ url: z.string(), audit: auditLog.optional(), error: z.string().optional() }))),
  ...auditCommands,
  ...redriveCommands,
  ...localSecretCommands,
  'localReceiver.status': command(z.strictObject({}), localStatus),
  'localReceiver.start': command(z.strictObject({ port: z.number().int().min(0).max(65_535).optional() }), localStatus),
  'localReceiver.stop': command(z.strictObject({}), localStatus),
  'localReceiver.sendTest': command(
    z.strictObject({ integrationId: z.string().optional(), scheme: testScheme.optional(), variant: z.enum(sendTestVariants) }),
    z.object({ status: z.number().int(), outcome: z.string(), reason: z.string().optional(), requestId: z.string().optional() }),
  ),
  /** The notification list: every alert of this session, newest first, acknowledged or not. */
  'alerts.list': command(z.strictObject({}), z.array(notification)),
  /** Acknowledges the given alerts, or every one when `ids` is absent. */
  'alerts.acknowledge': command(z.strictObject({ ids: z.array(z.string()).max(1000).optional() }), z.object({ acknowledged: z.number().int() })),
} as const;

export type CommandName = keyof typeof commands;
export type CommandInput<C extends CommandName> = z.input<(typeof commands)[C]['input']>;
export type ParsedInput<C extends CommandName> = z.output<(typeof commands)[C]['input']>;
export type CommandResult<C extends CommandName> = z.infer<(typeof commands)[C]['output']>;
export const COMMAND_NAMES = Object.keys(commands) as CommandName[];

/** Pushed by the main process; `deliveries` arrives in batches, at most about ten a second. */
export const events = {
  deliveries: z.object({ deliveries: z.array(fleetDelivery), dropped: z.number().int() }),
  alerts: z.object({ alerts: z.array(alertEvent) }),
  streams: streamStates,
} as const;
export type EventName = keyof typeof events;
export const EVENT_NAMES = Object.keys(events) as EventName[];
export type EventPayload<E extends EventName> = z.infer<(typeof events)[E]>;

/** A typed error a command answers with: `code` for programs, `message` for people. Never a stack, never a secret. */
export const commandError = z.object({ code: z.string(), message: z.string() });
export type CommandError = z.infer<typeof commandError>;

/** What both transports expose to the renderer (`window.hookwarden` in Electron, /rpc + /events in browser mode). */
export interface ConsoleApi {
  invoke<C extends CommandName>(command: C, input: CommandInput<C>): Promise<CommandResult<C>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/** The raw bridge the Electron preload exposes as `window.hookwarden`; the renderer's client turns it into a ConsoleApi. */
export interface ConsoleBridge {
  invoke(command: string, input: unknown): Promise<{ ok: true; result: unknown } | { ok: false; error: CommandError }>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}
