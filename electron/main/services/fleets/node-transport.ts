import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { TransportError } from './admin-error.js';
import { describeTlsFailure, FINGERPRINT_MISMATCH, matchesPin, tlsOptions, type TlsTrust } from './tls-trust.js';

/** Where one node's admin API is, and how its certificate is trusted. */
export interface Endpoint {
  /** `http(s)://host:port`, without a path. */
  readonly origin: URL;
  readonly trust: TlsTrust;
}

export interface ExchangeOptions {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** Path and query. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer | undefined;
  /** TCP connect and TLS handshake together. */
  readonly connectTimeoutMs: number;
  /** Longest silence while waiting for, or reading, the answer; for an event stream, the idle limit. */
  readonly readTimeoutMs: number;
  readonly signal?: AbortSignal | undefined;
}

/** One request on its own connection, with what ended it early if something did. */
export interface Exchange {
  readonly response: IncomingMessage;
  /** The timeout or abort that cut the exchange short, for the caller to report instead of "socket hang up". */
  failure(): TransportError | undefined;
  close(): void;
}

const hostOf = (origin: URL): string => origin.hostname.replace(/^\[(.*)\]$/, '$1');
const portOf = (origin: URL): number => Number(origin.port || (origin.protocol === 'https:' ? 443 : 80));

/**
 * Connects, and for https completes and checks the handshake, before the caller writes anything:
 * the bearer token goes out only to a node whose certificate passed every check. Connections are
 * not pooled: admin calls are few, and a fresh connection re-checks the pin every time.
 */
export function openConnection(endpoint: Endpoint, timeoutMs: number, signal?: AbortSignal): Promise<Socket> {
  const host = hostOf(endpoint.origin);
  const port = portOf(endpoint.origin);
  const secure = endpoint.origin.protocol === 'https:';
  return new Promise((resolve, reject) => {
    let tcpConnected = false;
    let settled = false;
    const socket: Socket = secure
      ? tlsConnect({
          host,
          port,
          // SNI takes names only; for an address the identity check uses `host`.
          ...(isIP(host) === 0 ? { servername: host } : {}),
          minVersion: 'TLSv1.2',
          ALPNProtocols: ['http/1.1'],
          ...tlsOptions(endpoint.trust),
        })
      : netConnect({ host, port });

    const finish = (error: TransportError | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.off('error', onError);
      if (error) {
        socket.destroy();
        reject(error);
      } else {
        resolve(socket);
      }
    };
    const onError = (error: NodeJS.ErrnoException): void => {
      const code = error.code ?? 'ERROR';
      if (!tcpConnected || !secure) return finish(new TransportError('connect', code, error.message));
      const failure = describeTlsFailure(code, endpoint.trust, host);
      finish(new TransportError('tls', code, failure.text, failure.check));
    };
    const onAbort = (): void => finish(new TransportError('aborted', 'ABORT_ERR', 'the request was cancelled'));
    const timer = setTimeout(
      () =>
        finish(
          tcpConnected && secure
            ? new TransportError('tls', 'ETIMEDOUT', `no TLS handshake within ${timeoutMs} ms`, 'handshake')
            : new TransportError('connect', 'ETIMEDOUT', `no connection within ${timeoutMs} ms`),
        ),
      timeoutMs,
    );
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('error', onError);
    socket.once('connect', () => {
      tcpConnected = true;
      if (!secure) finish(undefined);
    });
    if (secure) {
      socket.once('secureConnect', () => {
        const pin = endpoint.trust.fingerprint;
        // Without a pinned CA the chain was not verified (self-signed is the point of a pin): the pin is the whole check.
        if (pin && endpoint.trust.ca === undefined && !matchesPin((socket as TLSSocket).getPeerCertificate(), pin)) {
          const failure = describeTlsFailure(FINGERPRINT_MISMATCH, endpoint.trust, host);
          return finish(new TransportError('tls', FINGERPRINT_MISMATCH, failure.text, failure.check));
        }
        finish(undefined);
      });
    }
  });
}

/** Sends one request over a connection made (and checked) by `openConnection`; resolves once the answer's head arrives. */
export async function exchange(endpoint: Endpoint, options: ExchangeOptions): Promise<Exchange> {
  const socket = await openConnection(endpoint, options.connectTimeoutMs, options.signal);
  let failure: TransportError | undefined;
  const cut = (reason: TransportError): void => {
    failure ??= reason;
    socket.destroy(reason);
  };
  const onAbort = (): void => cut(new TransportError('aborted', 'ABORT_ERR', 'the request was cancelled'));
  const close = (): void => {
    options.signal?.removeEventListener('abort', onAbort);
    socket.setTimeout(0);
    socket.destroy();
  };
  socket.setTimeout(options.readTimeoutMs, () => cut(new TransportError('read', 'ETIMEDOUT', `no answer within ${options.readTimeoutMs} ms`)));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();

  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: endpoint.origin.host, ...options.headers };
    if (options.body) headers['content-length'] = String(options.body.length);
    let request: ReturnType<typeof httpRequest>;
    try {
      request = httpRequest(
        {
          method: options.method,
          path: options.path,
          headers,
          setHost: false,
          // The connection is ours, already checked: no agent, no pooling.
          createConnection: () => socket,
        },
        (response) => resolve({ response, failure: () => failure, close }),
      );
    } catch {
      // Refused before anything was written (a character a header or path cannot hold): the connection is ours to close.
      close();
      return reject(new TransportError('request', 'ERR_INVALID_REQUEST', 'the request could not be built'));
    }
    request.on('error', (error: NodeJS.ErrnoException) => {
      close();
      reject(failure ?? new TransportError('read', error.code ?? 'ERROR', error.message));
    });
    request.end(options.body);
  });
}

/** Reads a whole answer, refusing one larger than `maxBytes` (a node is trusted with the token, not with our memory). */
export function readBody(exchanged: Exchange, maxBytes: number): Promise<Buffer> {
  const { response } = exchanged;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const fail = (error: Error): void => {
      if (done) return;
      done = true;
      exchanged.close();
      reject(error);
    };
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) return fail(new TransportError('read', 'TOO_LARGE', `the answer is larger than ${maxBytes} bytes`));
      chunks.push(chunk);
    });
    response.on('end', () => {
      if (done) return;
      done = true;
      exchanged.close();
      resolve(Buffer.concat(chunks));
    });
    response.on('error', (error: NodeJS.ErrnoException) => fail(exchanged.failure() ?? new TransportError('read', error.code ?? 'ERROR', error.message)));
    response.on('close', () => {
      if (!response.complete) fail(exchanged.failure() ?? new TransportError('read', 'ECONNRESET', 'the connection closed before the answer was complete'));
    });
  });
}
