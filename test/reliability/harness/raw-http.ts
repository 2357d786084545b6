import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  /** False when the socket was still open at the timeout: the server held on to it. */
  readonly closedByServer: boolean;
  /** The status of the first response, or 0 when the server closed the socket without one. */
  readonly status: number;
  readonly text: string;
}

/**
 * Writes bytes to a loopback port and collects what comes back until the server closes the
 * socket or `timeoutMs` passes. For requests that fetch would refuse to send: non-Latin-1 header
 * bytes, two Content-Lengths, bodies that never end.
 */
export function rawExchange(port: number, write: (socket: Socket) => void, timeoutMs = 30_000, host = '127.0.0.1'): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    let received = '';
    let settled = false;
    const finish = (closedByServer: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(received);
      resolve({ status: status ? Number(status[1]) : 0, text: received, closedByServer });
    };
    const done = (): void => finish(true);
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
    });
    socket.on('close', done);
    socket.on('error', done);
    socket.once('connect', () => write(socket));
  });
}

/** One complete request with `Connection: close`; header values go out as UTF-8 bytes. */
export function rawRequest(port: number, request: { method?: string; path: string; headers: Record<string, string>; body: string }): Promise<RawAnswer> {
  const body = Buffer.from(request.body);
  const head = [
    `${request.method ?? 'POST'} ${request.path} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    'Connection: close',
    `Content-Length: ${body.length}`,
    ...Object.entries(request.headers).map(([name, value]) => `${name}: ${value}`),
  ].join('\r\n');
  return rawExchange(port, (socket) => socket.end(Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'utf8'), body])));
}
