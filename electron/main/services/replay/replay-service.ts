import { isIP } from 'node:net';
import type { RawDelivery } from '../../../../shared/contract/admin-api.js';
import type { ParsedInput, ReplayResult } from '../../../../shared/contract/console.js';
import type { SchemeName } from '../../../../shared/model/schemes.js';
import { ConsoleError } from '../console-error.js';
import type { LocalReceiver } from '../local-receiver/local-receiver.js';
import type { TestScheme } from '../local-receiver/sign-delivery.js';

/** A captured delivery and the scheme of the integration that captured it. */
export interface Capture {
  readonly raw: RawDelivery;
  readonly scheme: SchemeName;
}

/** Headers that describe the original connection, not the delivery: never replayed. */
const HOP_BY_HOP = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'keep-alive', 'upgrade', 'x-forwarded-for', 'expect']);
const MAX_SHOWN_BODY = 64 * 1024;

/**
 * Replays a captured delivery against the local receiver or another loopback URL: as captured (to
 * reproduce a production failure) or with the body (optionally edited) re-signed with the local
 * integration's secret, a fresh timestamp and a fresh id (so tolerance and dedupe pass again).
 */
export class ReplayService {
  constructor(
    private readonly fetchCapture: (input: ParsedInput<'deliveries.replay'>) => Promise<Capture>,
    private readonly local: LocalReceiver,
  ) {}

  async replay(input: ParsedInput<'deliveries.replay'>): Promise<ReplayResult> {
    if (input.target.kind === 'url') assertLoopback(input.target.url);
    const capture = await this.fetchCapture(input);
    if (input.target.kind === 'local') {
      const { id, signAs } = this.local.integrationFor({ integrationId: input.target.integrationId, scheme: testSchemeOf(capture.scheme) });
      const request = withEditedHeaders(input.mode === 'as-captured' ? asCaptured(capture.raw) : this.local.sign(id, signAs, input.body ?? bodyText(capture.raw)), input.headers);
      const answer = await this.local.send(id, request);
      const judged = answer.requestId ? await this.local.judged(answer.requestId) : undefined;
      return {
        requestId: answer.requestId ?? capture.raw.requestId,
        status: answer.status,
        headers: answer.headers,
        body: answer.body.slice(0, MAX_SHOWN_BODY),
        ...(judged ? { trace: judged.trace } : {}),
      };
    }
    const { id, signAs } = this.local.integrationFor({ scheme: testSchemeOf(capture.scheme) });
    const request = withEditedHeaders(input.mode === 'as-captured' ? asCaptured(capture.raw) : this.local.sign(id, signAs, input.body ?? bodyText(capture.raw)), input.headers);
    let response: Response;
    try {
      response = await fetch(`${input.target.url}${request.query}`, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(10_000),
      });
    } catch {
      throw new ConsoleError('target_unreachable', `nothing answered at ${input.target.url}`);
    }
    const body = await response.text();
    return { requestId: capture.raw.requestId, status: response.status, headers: Object.fromEntries(response.headers), body: body.slice(0, MAX_SHOWN_BODY) };
  }
}

function asCaptured(raw: RawDelivery): { headers: Record<string, string>; body: Buffer; query: string } {
  const headers = Object.fromEntries(Object.entries(raw.headers).filter(([name]) => !HOP_BY_HOP.has(name)));
  return { headers, body: Buffer.from(raw.bodyBase64, 'base64'), query: raw.query };
}

/**
 * The operator's header edits, applied last: a value replaces the header (names are matched without
 * case), an empty value removes it. Connection headers stay the transport's to set.
 */
function withEditedHeaders<R extends { headers: Record<string, string> }>(request: R, edits: Readonly<Record<string, string>> | undefined): R {
  if (!edits) return request;
  const headers = { ...request.headers };
  for (const [name, value] of Object.entries(edits)) {
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower)) continue;
    for (const existing of Object.keys(headers)) if (existing.toLowerCase() === lower) delete headers[existing];
    if (value !== '') headers[lower] = value;
  }
  return { ...request, headers };
}

function bodyText(raw: RawDelivery): string {
  return Buffer.from(raw.bodyBase64, 'base64').toString('utf8');
}

function testSchemeOf(scheme: SchemeName): TestScheme {
  if (scheme === 'jws') throw new ConsoleError('not_resignable', 'jws deliveries are signed with the sender\'s private key; replay them as captured');
  return scheme;
}

/** Replays go to this machine only: a console must not become a way to post signed requests anywhere. */
function assertLoopback(url: string): void {
  const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  const loopback = host === 'localhost' || (isIP(host) === 4 && host.startsWith('127.')) || host === '::1';
  if (!loopback) throw new ConsoleError('target_not_loopback', `replay targets must be on this machine (127.0.0.0/8, ::1 or localhost), not ${host}`);
}
