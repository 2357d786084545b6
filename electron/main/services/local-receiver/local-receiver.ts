import { createHmac, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { receiverConfig } from '../../../../shared/contract/receiver-config.js';
import type { LocalReceiverStatus } from '../../../../shared/contract/console.js';
import type { SchemeName } from '../../../../shared/model/schemes.js';
import { AdminError, type Actor } from '../../../../receiver/admin/admin-service.js';
import { fingerprint } from '../../../../receiver/state/fingerprint.js';
import { startReceiver, type ReceiverEngine } from '../../../../receiver/engine.js';
import { ListenError } from '../../../../receiver/http/listen.js';
import type { Logger } from '../../../../receiver/observability/logger.js';
import { ConsoleError } from '../console-error.js';
import { formatSecret, newSecretId } from '../rotation/new-secret.js';
import { LOCAL_HMAC_OPTIONS, newMessageId, sampleEvent, signDelivery, type SignedRequest, type TestScheme } from './sign-delivery.js';

/** Where the local receiver's seed secret is kept: the OS keychain through the vault, or memory. */
export interface SeedStore {
  load(): Promise<string | undefined>;
  save(seed: string): Promise<void>;
}

export type TestVariant = 'valid' | 'wrong-secret' | 'expired' | 'replay';

/** Changes made from the console to its own receiver are audited under this actor. */
export const CONSOLE_ACTOR: Actor = { name: 'console', sourceIp: '127.0.0.1' };

/**
 * Where the local receiver listens unless the operator chose another port: fixed, so that
 * `stripe listen --forward-to` and other senders are pointed at it once.
 */
export const DEFAULT_LOCAL_PORT = 4455;

/** Twilio signs the URL it calls; the local integration is configured with this one, whatever port it listens on. */
export const LOCAL_TWILIO_URL = 'http://127.0.0.1/hooks/local-twilio';

/** One local integration per scheme the console can sign for; `local-test` is the default (Standard Webhooks, and Svix's headers). */
const LOCAL_INTEGRATIONS: readonly { id: string; scheme: SchemeName; signs: readonly TestScheme[] }[] = [
  { id: 'local-test', scheme: 'standard-webhooks', signs: ['standard-webhooks', 'svix'] },
  { id: 'local-stripe', scheme: 'stripe', signs: ['stripe'] },
  { id: 'local-github', scheme: 'github', signs: ['github'] },
  { id: 'local-slack', scheme: 'slack', signs: ['slack'] },
  { id: 'local-shopify', scheme: 'shopify', signs: ['shopify'] },
  { id: 'local-twilio', scheme: 'twilio', signs: ['twilio'] },
  { id: 'local-hmac', scheme: 'hmac', signs: ['hmac'] },
];

/**
 * The verifying receiver built into the console: the receiver engine on 127.0.0.1 with its own
 * SQLite file under user data. Its secrets derive from one seed kept in the keychain, so restarts
 * keep verifying what was signed before.
 */
export class LocalReceiver {
  private engine: ReceiverEngine | undefined;

  constructor(
    private readonly options: { userDataDir: string; seed: SeedStore; logger: Logger; now?: () => number },
  ) {}

  status(): Omit<LocalReceiverStatus, 'port'> {
    return {
      running: this.engine !== undefined,
      url: this.engine?.ingressUrl ?? null,
      integrations: LOCAL_INTEGRATIONS.map(({ id, scheme }) => ({ id, scheme, path: `/hooks/${id}` })),
    };
  }

  running(): ReceiverEngine {
    if (!this.engine) throw new ConsoleError('local_receiver_stopped', 'the local receiver is not running; start it first');
    return this.engine;
  }

  async start(port = 0): Promise<Omit<LocalReceiverStatus, 'port'>> {
    if (this.engine) return this.status();
    const seed = await this.seed();
    const config = receiverConfig.parse({
      node: { id: 'local' },
      ingress: { listen: `127.0.0.1:${port}` },
      storage: { path: join(this.options.userDataDir, 'local-receiver'), sync: 'normal' },
      integrations: LOCAL_INTEGRATIONS.map(({ id, scheme }) => ({
        id,
        scheme,
        secrets: [{ id: 'local', value: formatSecret(scheme, createHmac('sha256', seed).update(id).digest()) }],
        ...(scheme === 'twilio' ? { publicUrl: LOCAL_TWILIO_URL } : {}),
        ...(scheme === 'hmac' ? { hmac: LOCAL_HMAC_OPTIONS } : {}),
      })),
    });
    try {
      this.engine = await startReceiver(
        { file: 'the built-in local receiver', baseDir: this.options.userDataDir, nodeId: 'local', config },
        { logger: this.options.logger, ...(this.options.now ? { now: this.options.now } : {}) },
      );
    } catch (error) {
      if (error instanceof ListenError && error.code === 'EADDRINUSE') {
        throw new ConsoleError('port_in_use', `port ${port} on 127.0.0.1 is taken by another program: stop it, or choose another port for the local receiver`);
      }
      throw error;
    }
    return this.status();
  }

  /** The secret a local integration verifies with now, for the operator to copy into a sender. */
  secret(integrationId: string): { integrationId: string; secretId: string; secret: string } {
    const newest = this.runtime(integrationId).keysAt(this.now()).active.at(-1);
    if (!newest) throw new ConsoleError('no_active_secret', `"${integrationId}" has no active secret`);
    return { integrationId, secretId: newest.spec.id, secret: newest.spec.value };
  }

  /**
   * Replaces a local integration's secret with one the operator brings (the `whsec_…` that
   * `stripe listen` prints, a provider's test secret) at once: no overlap, since this receiver's
   * only senders are on this machine. Kept in the local receiver's sealed state across restarts.
   */
  async setSecret(integrationId: string, secret: string): Promise<{ integrationId: string; secretId: string; fingerprint: string }> {
    this.runtime(integrationId);
    const secretId = newSecretId(this.now());
    try {
      await this.running().commands.addSecret(CONSOLE_ACTOR, integrationId, { secret, id: secretId, overlapSeconds: 0 });
    } catch (error) {
      if (error instanceof AdminError) throw new ConsoleError(error.code, error.message);
      throw error;
    }
    return { integrationId, secretId, fingerprint: fingerprint(secret) };
  }

  async stop(): Promise<Omit<LocalReceiverStatus, 'port'>> {
    const engine = this.engine;
    this.engine = undefined;
    await engine?.close();
    return this.status();
  }

  /** The local integration that verifies `scheme`, or the one named. */
  integrationFor(selector: { integrationId?: string | undefined; scheme?: TestScheme | undefined }): { id: string; signAs: TestScheme } {
    const entry = selector.integrationId
      ? LOCAL_INTEGRATIONS.find((integration) => integration.id === selector.integrationId)
      : LOCAL_INTEGRATIONS.find((integration) => integration.signs.includes(selector.scheme ?? 'standard-webhooks'));
    if (!entry) throw new ConsoleError('unknown_integration', `the local receiver has no integration ${selector.integrationId ? `"${selector.integrationId}"` : `for ${selector.scheme}`}`);
    const signAs = selector.scheme && entry.signs.includes(selector.scheme) ? selector.scheme : (entry.signs[0] as TestScheme);
    return { id: entry.id, signAs };
  }

  /** Signs `body` as the integration's sender would, with its newest active secret, now. */
  sign(integrationId: string, signAs: TestScheme, body: string, overrides: { secret?: string; timestamp?: number; id?: string } = {}): SignedRequest {
    const now = this.now();
    const secret = overrides.secret ?? this.secret(integrationId).secret;
    return signDelivery(signAs, {
      secret,
      body,
      timestamp: overrides.timestamp ?? Math.floor(now / 1000),
      id: overrides.id ?? newMessageId(),
      url: LOCAL_TWILIO_URL,
    });
  }

  /** Posts a signed request to the local receiver and reads back how it was judged. */
  async send(integrationId: string, request: SignedRequest): Promise<{ status: number; headers: Record<string, string>; body: string; requestId?: string }> {
    const engine = this.running();
    const response = await fetch(`${engine.ingressUrl}/hooks/${integrationId}${request.query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...request.headers },
      body: request.body,
    });
    const body = await response.text();
    const requestId = parseRequestId(body);
    return { status: response.status, headers: Object.fromEntries(response.headers), body, ...(requestId ? { requestId } : {}) };
  }

  async sendTest(input: { integrationId?: string | undefined; scheme?: TestScheme | undefined; variant: TestVariant }): Promise<{ status: number; outcome: string; reason?: string; requestId?: string }> {
    const { id, signAs } = this.integrationFor(input);
    const messageId = newMessageId();
    const body = sampleEvent(signAs, messageId);
    const now = Math.floor(this.now() / 1000);
    if (input.variant === 'expired' && !['standard-webhooks', 'svix', 'stripe', 'slack', 'hmac'].includes(signAs)) {
      throw new ConsoleError('not_applicable', `${signAs} signs no timestamp: an old delivery is caught only as a replay`);
    }
    const signed = this.sign(id, signAs, body, {
      id: messageId,
      ...(input.variant === 'wrong-secret' ? { secret: formatSecret(signAs === 'svix' ? 'standard-webhooks' : signAs, randomBytes(32)) } : {}),
      ...(input.variant === 'expired' ? { timestamp: now - 3600 } : {}),
    });
    let answer = await this.send(id, signed);
    if (input.variant === 'replay') answer = await this.send(id, signed);
    const detail = answer.requestId ? await this.judged(answer.requestId) : undefined;
    return {
      status: answer.status,
      outcome: detail?.outcome ?? 'unknown',
      ...(detail?.reason ? { reason: detail.reason } : {}),
      ...(answer.requestId ? { requestId: answer.requestId } : {}),
    };
  }

  /** The local log's record of a request; rejections are written just after the answer, so wait briefly for them. */
  async judged(requestId: string) {
    const engine = this.running();
    for (let attempt = 0; attempt < 50; attempt++) {
      const detail = engine.queries.delivery(requestId);
      if (detail) return detail;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return undefined;
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private runtime(integrationId: string) {
    const runtime = this.running().integrations.find((integration) => integration.id === integrationId);
    if (!runtime) throw new ConsoleError('unknown_integration', `the local receiver has no integration "${integrationId}"`);
    return runtime;
  }

  private async seed(): Promise<string> {
    const stored = await this.options.seed.load();
    if (stored) return stored;
    const seed = randomBytes(32).toString('base64');
    await this.options.seed.save(seed);
    return seed;
  }
}

function parseRequestId(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { requestId?: unknown };
    return typeof parsed.requestId === 'string' ? parsed.requestId : undefined;
  } catch {
    return undefined;
  }
}
