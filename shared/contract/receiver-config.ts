import { z } from 'zod';
import { TOKEN_SCOPES } from './admin-api.js';

/**
 * The receiver's config file (DESIGN §2.4). This is a contract: operators' files and other tools
 * depend on it. Objects are strict so that a misspelt key is reported instead of silently ignored.
 */

const integrationId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be 1-64 characters of a-z, 0-9, ".", "_", "-", starting with a letter or digit');

const secretId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 characters of A-Z, a-z, 0-9, ".", "_", "-"');

/** host:port, IPv6 in brackets. */
export const listenAddress = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, { message: 'must be host:port, e.g. "127.0.0.1:8080" or "[::1]:8080"', abort: true })
  .refine((value) => Number(value.slice(value.lastIndexOf(':') + 1)) <= 65535, 'port must be 0-65535');

const cidr = z.string().regex(/^[0-9a-fA-F:.]+(\/\d{1,3})?$/, 'must be an IP address or CIDR block, e.g. "3.18.12.63/32"');

const positiveInt = z.number().int().positive();

export const secretConfig = z.strictObject({
  id: secretId,
  /** A literal, `env:NAME` or `file:PATH` (relative to the config file). */
  value: z.string().min(1, 'must not be empty'),
  createdAt: z.iso.datetime({ offset: true }).optional(),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});

export const rateLimitConfig = z.strictObject({
  perSecond: positiveInt,
  burst: positiveInt,
  perSource: z.strictObject({ perSecond: positiveInt, burst: positiveInt }).optional(),
});

const integrationCommon = {
  id: integrationId,
  path: z.string().regex(/^\/[A-Za-z0-9._~\-/]*$/, 'must start with "/" and use URL path characters only').optional(),
  toleranceSeconds: positiveInt.max(86_400).default(300),
  dedupeWindowSeconds: positiveInt.max(30 * 86_400).default(259_200),
  /** Dedupe on this header instead of the scheme's own id. */
  idHeader: z.string().min(1).toLowerCase().optional(),
  maxBodyBytes: positiveInt.optional(),
  rateLimit: rateLimitConfig.optional(),
  allowIps: z.array(cidr).min(1).optional(),
  /** JSON Schema file, relative to the config file. */
  schema: z.string().min(1).optional(),
  capture: z
    .strictObject({
      retentionDays: z.number().positive().max(365).default(7),
      /** Bytes of a rejected request's body kept for diagnosis (0: none); accepted deliveries are kept whole. */
      rejectedBytes: z.number().int().min(0).max(1_048_576).default(4096),
      /** Capture bytes of rejected requests per minute for this integration; past it they are logged without a capture. */
      rejectedBytesPerMinute: z.number().int().min(0).default(1_048_576),
      /** JSON pointers (RFC 6901) of body fields replaced by "[redacted]" before the capture is stored, e.g. "/data/object/email". */
      redact: z.array(z.string().regex(/^\//, 'must be a JSON pointer starting with "/", e.g. "/data/object/email"')).default([]),
    })
    .prefault({}),
};

const secrets = z.array(secretConfig).min(1, 'at least one secret is needed');

export const hmacOptions = z.strictObject({
  header: z.string().min(1).toLowerCase(),
  prefix: z.string().default(''),
  algorithm: z.enum(['sha256', 'sha512']).default('sha256'),
  encoding: z.enum(['hex', 'base64']).default('hex'),
  signedContent: z.string().includes('{body}', { message: 'must contain {body}' }).default('{body}'),
  timestampHeader: z.string().min(1).toLowerCase().optional(),
  idHeader: z.string().min(1).toLowerCase().optional(),
});

export const jwsOptions = z.strictObject({
  header: z.string().min(1).toLowerCase().default('x-jws-signature'),
  algorithms: z.array(z.enum(['ES256', 'RS256', 'EdDSA'])).min(1).default(['ES256', 'RS256', 'EdDSA']),
  jwks: z.union([z.strictObject({ file: z.string().min(1) }), z.strictObject({ url: z.url({ protocol: /^https?$/ }) })]),
  refreshMinSeconds: positiveInt.default(300),
  /** A JWS without `iat` is never fresh: it could be replayed forever once its id leaves the dedupe window. */
  requireIat: z.boolean().default(true),
  idHeader: z.string().min(1).toLowerCase().optional(),
});

export const integrationConfig = z.discriminatedUnion('scheme', [
  z.strictObject({ ...integrationCommon, scheme: z.literal('standard-webhooks'), secrets }),
  z.strictObject({ ...integrationCommon, scheme: z.literal('stripe'), secrets }),
  z.strictObject({ ...integrationCommon, scheme: z.literal('github'), secrets }),
  z.strictObject({ ...integrationCommon, scheme: z.literal('slack'), secrets }),
  z.strictObject({ ...integrationCommon, scheme: z.literal('shopify'), secrets }),
  z.strictObject({
    ...integrationCommon,
    scheme: z.literal('twilio'),
    secrets,
    /** The URL Twilio calls (before any proxy rewrote it): Twilio signs it. */
    publicUrl: z.url({ protocol: /^https?$/ }),
  }),
  z.strictObject({ ...integrationCommon, scheme: z.literal('hmac'), secrets, hmac: hmacOptions }),
  z.strictObject({ ...integrationCommon, scheme: z.literal('jws'), jws: jwsOptions }),
]);

/** Answered by the ingress itself, for load balancers. */
export const RESERVED_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz']);

export const receiverConfig = z
  .strictObject({
    node: z.strictObject({ id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).optional() }).prefault({}),
    ingress: z
      .strictObject({
        listen: listenAddress.default('0.0.0.0:8080'),
        maxBodyBytes: positiveInt.max(64 * 1024 * 1024).default(1_048_576),
        trustedProxies: z.array(cidr).default([]),
        headersTimeoutMs: positiveInt.default(10_000),
        requestTimeoutMs: positiveInt.default(30_000),
        keepAliveTimeoutMs: positiveInt.default(5_000),
        maxRequestsPerSocket: positiveInt.default(1_000),
        maxConnections: positiveInt.default(10_000),
      })
      .prefault({}),
    /** The admin API (/admin/v1) with /metrics, /healthz, /readyz. Keep it off the public interface. */
    admin: z
      .strictObject({
        listen: listenAddress.default('127.0.0.1:9090'),
        /** Networks the admin port is open to, in the rules `--firewall` prints (consoles, Prometheus). */
        allowFrom: z.array(cidr).min(1).default(['127.0.0.1/32', '::1/128']),
        /** Files relative to the config file; `clientCa` turns on mutual TLS. */
        tls: z.strictObject({ cert: z.string().min(1), key: z.string().min(1), clientCa: z.string().min(1).optional() }).optional(),
        tokens: z
          .array(
            z.strictObject({
              name: z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, 'must be 1-64 characters of A-Z, a-z, 0-9, ".", "_", "@", "-"'),
              /** Hex sha256 of the token: the token itself is never written down on the node. */
              sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be the 64 hex digits of the token\'s sha256').toLowerCase(),
              scope: z.enum(TOKEN_SCOPES),
              /** Raw captured payloads (`GET /deliveries/{id}/raw`) need this on top of `read`: they hold personal data. */
              payloads: z.boolean().default(false),
            }),
          )
          .default([]),
        /** Live `/stream` clients: each costs a socket and a share of every delivery's fan-out. */
        streams: z.strictObject({ max: positiveInt.max(10_000).default(100), perToken: positiveInt.max(10_000).default(10) }).prefault({}),
        /**
         * Failed authentications: per source address, and for all sources together (guessing from many addresses).
         * A bucket holds `burst` failures and gets `perMinute` back each minute.
         */
        authFailures: z
          .strictObject({
            perSource: z.strictObject({ burst: positiveInt.default(10), perMinute: positiveInt.default(10) }).prefault({}),
            global: z.strictObject({ burst: positiveInt.default(200), perMinute: positiveInt.default(300) }).prefault({}),
          })
          .prefault({}),
      })
      .optional(),
    /** Fleet mode: nodes sharing this Redis share replay cache, rate limits, kill switches and secrets. */
    redis: z
      .strictObject({
        /** One Redis; or, for automatic failover, `sentinels` and `name` instead. */
        url: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
        /** Redis Sentinel: the node asks these for the current primary of `name`, and again after a failover. */
        sentinels: z
          .array(z.strictObject({ host: z.string().min(1), port: z.number().int().min(1).max(65535) }))
          .min(1, 'name at least one sentinel')
          .optional(),
        /** The primary's name in the sentinels' configuration (`sentinel monitor <name> …`). */
        name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 characters of A-Z, a-z, 0-9, ".", "_", "-"').optional(),
        /** `reject`: answer 503 while Redis is unreachable, never accept what could not be deduplicated and stored. */
        onUnavailable: z.enum(['reject']).default('reject'),
        keyPrefix: z.string().regex(/^[A-Za-z0-9:_-]{1,64}$/).default('hookwarden'),
      })
      .superRefine((redis, ctx) => {
        const sentinel = redis.sentinels !== undefined || redis.name !== undefined;
        if (redis.url !== undefined && sentinel) ctx.addIssue({ code: 'custom', path: ['url'], message: 'give either url or sentinels and name, not both' });
        else if (redis.url === undefined && !sentinel) ctx.addIssue({ code: 'custom', path: ['url'], message: 'give url, or sentinels and name' });
        else if (sentinel && redis.sentinels === undefined) ctx.addIssue({ code: 'custom', path: ['sentinels'], message: 'name needs sentinels' });
        else if (sentinel && redis.name === undefined) ctx.addIssue({ code: 'custom', path: ['name'], message: 'sentinels need the name of the primary they monitor' });
      })
      .optional(),
    /** Where accepted deliveries go; default: a Redis Stream per integration in fleet mode, else the SQLite outbox. */
    downstream: z
      .discriminatedUnion('type', [
        z.strictObject({ type: z.literal('outbox') }),
        z.strictObject({ type: z.literal('redis-stream'), maxLen: positiveInt.default(1_000_000) }),
        z.strictObject({
          type: z.literal('http'),
          url: z.url({ protocol: /^https?$/ }),
          timeoutMs: positiveInt.default(10_000),
          initialBackoffMs: positiveInt.default(500),
          maxBackoffMs: positiveInt.default(60_000),
          /** Consecutive failures that open the circuit, and how long it stays open before one trial request. */
          circuitFailures: positiveInt.default(5),
          circuitOpenMs: positiveInt.default(30_000),
        }),
        /** RabbitMQ: persistent messages with publisher confirms to an exchange the operator declared and bound queues to. */
        z.strictObject({
          type: z.literal('amqp'),
          /** An amqp(s):// URL, or `env:NAME` / `file:PATH` holding one, since it carries the broker's credentials. */
          url: z.string().regex(/^(amqps?:\/\/\S+|env:\S+|file:.+)$/, 'must be an amqp:// or amqps:// URL, or env:NAME or file:PATH holding one'),
          exchange: z.string().min(1, 'must name the exchange (the default exchange cannot be checked)').max(255),
          /** `{integration}` is replaced by the integration's id. */
          routingKey: z.string().max(255).default('hookwarden.{integration}'),
          confirmTimeoutMs: positiveInt.default(30_000),
          connectTimeoutMs: positiveInt.default(10_000),
          initialBackoffMs: positiveInt.default(500),
          maxBackoffMs: positiveInt.default(30_000),
        }),
      ])
      .optional(),
    storage: z
      .strictObject({
        path: z.string().min(1).default('./data'),
        /** `full` fsyncs every group commit; `normal` survives a process crash but not a power cut. */
        sync: z.enum(['full', 'normal']).default('full'),
        /** How long the delivery log and statistics are kept; captures follow each integration's own retention. */
        logRetentionDays: z.number().positive().max(3650).default(30),
        /** Ceiling of the database's used bytes: above it captures are purged, those nearest their expiry first (the oldest, where integrations keep theirs equally long), never the log or the outbox. */
        maxBytes: positiveInt.min(1_048_576).optional(),
        /**
         * Replay keys the single node holds in memory, the most recent ones; older keys inside their window are kept on disk
         * (replay-spill.db) and looked up there. 25.6 bytes per key of the bound once it is reached: the default 1,000,000 keys take
         * at most 25 MiB, and the filter of the keys on disk at most 10 bytes per key of the bound. Memory drops its oldest quarter
         * only once those keys are on disk: until then new deliveries get 503.
         */
        dedupeIndexMaxKeys: positiveInt.default(1_000_000),
        /** A commit running longer than this makes the node not ready, and the ingress answers 503 instead of queueing. */
        commitStallSeconds: z.number().positive().max(600).default(5),
      })
      .prefault({}),
    integrations: z.array(integrationConfig).min(1, 'at least one integration is needed'),
  })
  .superRefine((config, ctx) => {
    if (config.downstream?.type === 'redis-stream' && !config.redis) {
      ctx.addIssue({ code: 'custom', path: ['downstream', 'type'], message: 'redis-stream needs redis (url or sentinels)' });
    }
    const tokenDigests = new Map<string, number>();
    config.admin?.tokens.forEach((token, index) => {
      const first = tokenDigests.get(token.sha256);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['admin', 'tokens', index, 'sha256'], message: `the same token as admin.tokens[${first}]: one token has one name and one scope` });
      } else tokenDigests.set(token.sha256, index);
    });
    const ids = new Set<string>();
    const paths = new Set<string>();
    config.integrations.forEach((integration, index) => {
      if (ids.has(integration.id)) {
        ctx.addIssue({ code: 'custom', path: ['integrations', index, 'id'], message: `duplicate integration id "${integration.id}"` });
      }
      ids.add(integration.id);
      const path = integration.path ?? `/hooks/${integration.id}`;
      if (RESERVED_PATHS.has(path)) {
        ctx.addIssue({ code: 'custom', path: ['integrations', index, 'path'], message: `path "${path}" is reserved for health checks` });
      }
      if (paths.has(path)) {
        ctx.addIssue({ code: 'custom', path: ['integrations', index, 'path'], message: `path "${path}" is used by another integration` });
      }
      paths.add(path);
      if ('secrets' in integration) {
        const secretIds = new Set<string>();
        integration.secrets.forEach((secret, secretIndex) => {
          if (secretIds.has(secret.id)) {
            ctx.addIssue({ code: 'custom', path: ['integrations', index, 'secrets', secretIndex, 'id'], message: `duplicate secret id "${secret.id}"` });
          }
          secretIds.add(secret.id);
        });
      }
    });
  });

export type ReceiverConfig = z.infer<typeof receiverConfig>;
export type IntegrationConfig = z.infer<typeof integrationConfig>;
export type SecretConfig = z.infer<typeof secretConfig>;
export type HmacOptions = z.infer<typeof hmacOptions>;
export type JwsOptions = z.infer<typeof jwsOptions>;
