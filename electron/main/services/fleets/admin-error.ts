import { ConsoleError } from '../console-error.js';

/** Which part of a call to a node failed; `test()` and fan-out read this rather than parse messages. */
export type FailureKind =
  | 'unreachable'
  | 'timeout'
  | 'tls'
  | 'token_refused'
  | 'scope_insufficient'
  | 'throttled'
  | 'http'
  | 'invalid_response'
  | 'invalid_request'
  | 'aborted';

/** The TLS check that refused the node's certificate. */
export type TlsCheck = 'fingerprint' | 'pinned-ca' | 'system-store' | 'hostname' | 'validity' | 'handshake';

export interface FailureDetails {
  readonly kind: FailureKind;
  /** False only when the request provably never left this machine (no connection, refused handshake). */
  readonly requestSent: boolean;
  /** Whether the same read may succeed if asked again (network trouble, 502-504). */
  readonly retryable: boolean;
  /** True when a TCP connection was made, whatever happened next. */
  readonly reachable: boolean;
  readonly status?: number;
  readonly tlsCheck?: TlsCheck;
}

/**
 * A failed admin API call, as a ConsoleError the operator can read. Messages are built here from
 * fixed text, the URL and the node's own error text; the token never reaches them (and `scrub`
 * removes it should a node ever echo it back).
 */
export class AdminApiError extends ConsoleError {
  constructor(
    code: string,
    message: string,
    readonly details: FailureDetails,
  ) {
    super(code, message);
    this.name = 'AdminApiError';
  }

  get kind(): FailureKind {
    return this.details.kind;
  }
}

/** Removes every occurrence of `secret` from `text`; a no-op for an empty or missing secret. */
export function scrub(text: string, secret: string | undefined): string {
  if (!secret) return text;
  return text.split(secret).join('[redacted]');
}

/** A failure below HTTP: connection, handshake, timeout. Turned into an AdminApiError by the client. */
export class TransportError extends Error {
  constructor(
    readonly phase: 'connect' | 'tls' | 'request' | 'read' | 'aborted',
    readonly code: string,
    message: string,
    readonly tlsCheck?: TlsCheck,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}
