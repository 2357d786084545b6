import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Splits `host:port` (IPv6 in brackets) as the config writes it. */
export function parseListen(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(address.slice(colon + 1)) };
}

/**
 * Listens and resolves to the URL actually bound (port 0 picks a free one). A failure names the
 * config key of the listener (`ingress.listen`, `admin.listen`), the address and the OS's reason.
 */
export function listen(server: Server, address: string, keyPath: string): Promise<string> {
  const { host, port } = parseListen(address);
  return new Promise((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException): void => {
      const why = error.code === 'EADDRINUSE' ? 'the address is already in use (another process listens there)' : error.code === 'EACCES' ? 'permission denied (ports below 1024 need privileges)' : error.message;
      reject(new ListenError(`${keyPath}: cannot listen on ${address}: ${why}${error.code ? ` (${error.code})` : ''}`, keyPath, error.code));
    };
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      const bound = server.address() as AddressInfo;
      const shownHost = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
      resolve(`http://${shownHost}:${bound.port}`);
    });
  });
}

export class ListenError extends Error {
  constructor(
    message: string,
    readonly keyPath: string,
    /** The OS's error code (`EADDRINUSE`, `EACCES`), for callers that answer each in their own words. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ListenError';
  }
}

/**
 * Stops accepting, lets requests in flight finish (idle keep-alive sockets are closed at once),
 * and after `graceMs` cuts whatever is still open.
 */
export function closeGracefully(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    const deadline = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearTimeout(deadline);
      resolve();
    });
    server.closeIdleConnections();
  });
}
