import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import type { EventName, EventPayload } from '../../../shared/contract/console.js';
import type { Dispatch } from '../ipc/dispatch-command.js';
import { CONTENT_SECURITY_POLICY } from '../security/content-security-policy.js';
import type { EventSink } from '../services/command-handlers.js';

export interface WebHost {
  readonly url: string;
  readonly token: string;
  readonly emit: EventSink;
  close(): Promise<void>;
}

const MAX_RPC_BODY = 2 * 1024 * 1024;
const HEARTBEAT_MS = 15_000;
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/**
 * Browser mode: the renderer and the console's commands over HTTP on 127.0.0.1 only, for machines
 * without a display and for end-to-end tests in Chromium. Every /rpc and /events call needs the
 * per-launch token; `Host` and `Origin` are checked so that a web page elsewhere cannot reach it
 * through DNS rebinding.
 */
export async function startWebHost(options: { dispatch: Dispatch; staticDir: string; port?: number }): Promise<WebHost> {
  const token = randomBytes(32).toString('base64url');
  const tokenBytes = Buffer.from(token);
  const streams = new Set<ServerResponse>();
  let port = 0;

  const allowedHosts = (): Set<string> => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const hasToken = (request: IncomingMessage, url: URL): boolean => {
    const presented = Buffer.from(String(request.headers['x-hookwarden-token'] ?? url.searchParams.get('token') ?? ''));
    return presented.length === tokenBytes.length && timingSafeEqual(presented, tokenBytes);
  };

  const server = createServer((request, response) => {
    // Whatever a request holds, it gets an answer and never ends the process: any web page can
    // make a browser send one here (an <img> tag is enough), token or not.
    try {
      route(request, response);
    } catch {
      answerUnexpected(response);
    }
  });

  function route(request: IncomingMessage, response: ServerResponse): void {
    const url = parseRequestUrl(request.url);
    if (!url) return json(response, 400, { ok: false, error: { code: 'invalid_url', message: 'the request URL is malformed' } });
    if (!allowedHosts().has(request.headers.host ?? '')) return json(response, 403, { ok: false, error: { code: 'forbidden_host', message: 'this console answers on 127.0.0.1 only' } });
    const origin = request.headers.origin;
    if (origin !== undefined && ![...allowedHosts()].some((host) => origin === `http://${host}`)) {
      return json(response, 403, { ok: false, error: { code: 'forbidden_origin', message: 'requests from other origins are refused' } });
    }
    if (url.pathname.startsWith('/rpc/') || url.pathname === '/events') {
      if (!hasToken(request, url)) return json(response, 401, { ok: false, error: { code: 'unauthorized', message: 'the console token is missing or wrong' } });
      if (url.pathname === '/events') return openEvents(response);
      if (request.method !== 'POST') return json(response, 405, { ok: false, error: { code: 'method_not_allowed', message: 'use POST' } });
      return void rpc(request, response, url.pathname).catch(() => answerUnexpected(response));
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') return json(response, 405, { ok: false, error: { code: 'method_not_allowed', message: 'GET only' } });
    void serveStatic(options.staticDir, url.pathname, response).catch(() => answerUnexpected(response));
  }

  async function rpc(request: IncomingMessage, response: ServerResponse, pathname: string): Promise<void> {
    const command = decodePath(pathname.slice(5));
    if (command === undefined) return json(response, 400, { ok: false, error: { code: 'invalid_url', message: 'the command name in the URL is malformed' } });
    let input: unknown;
    try {
      const body = await readBody(request);
      input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch (error) {
      const tooLarge = error instanceof Error && error.message === 'too_large';
      return json(response, tooLarge ? 413 : 400, { ok: false, error: { code: tooLarge ? 'too_large' : 'invalid_json', message: tooLarge ? 'the request body is too large' : 'the request body is not JSON' } });
    }
    const answer = await options.dispatch(command, input);
    const status = answer.ok ? 200 : answer.error.code === 'invalid_input' ? 400 : answer.error.code === 'unknown_command' ? 404 : 200;
    json(response, status, answer);
  }

  function openEvents(response: ServerResponse): void {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    response.write(': connected\n\n');
    streams.add(response);
    const heartbeat = setInterval(() => response.write(': heartbeat\n\n'), HEARTBEAT_MS);
    response.on('close', () => {
      clearInterval(heartbeat);
      streams.delete(response);
    });
  }

  const emit: EventSink = <E extends EventName>(event: E, payload: EventPayload<E>) => {
    const frame = `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
    for (const stream of streams) stream.write(frame);
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    emit,
    close: () =>
      new Promise((resolve) => {
        for (const stream of streams) stream.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The request's URL, or undefined when it cannot be one (the path is taken as given, not resolved against a host). */
function parseRequestUrl(target: string | undefined): URL | undefined {
  try {
    const url = new URL(target ?? '/', 'http://127.0.0.1');
    return decodePath(url.pathname) === undefined ? undefined : url;
  } catch {
    return undefined;
  }
}

/** Percent-decoding that answers undefined for a broken escape (`%E0%A4%A`) instead of throwing a URIError. */
function decodePath(path: string): string | undefined {
  try {
    return decodeURIComponent(path);
  } catch {
    return undefined;
  }
}

/** The last resort of a request that failed in a way nobody foresaw: an answer, if one can still be sent, and a closed socket. */
function answerUnexpected(response: ServerResponse): void {
  if (response.headersSent) return void response.destroy();
  json(response, 500, { ok: false, error: { code: 'internal', message: 'the request failed unexpectedly' } });
}

async function serveStatic(root: string, pathname: string, response: ServerResponse): Promise<void> {
  const relative = normalize(decodePath(pathname) ?? '/').replace(/^(\.\.[/\\])+/, '');
  const file = join(root, relative);
  const inside = file.startsWith(root.endsWith(sep) ? root : `${root}${sep}`);
  let body: Buffer;
  let type: string;
  try {
    if (!inside || relative === sep || relative === '/') throw new Error('index');
    body = await readFile(file);
    type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
  } catch {
    // Client-side routes and the root get the app's page.
    try {
      body = await readFile(join(root, 'index.html'));
      type = CONTENT_TYPES['.html'] as string;
    } catch {
      return json(response, 404, { ok: false, error: { code: 'no_renderer', message: 'the renderer is not built: run npm run build' } });
    }
  }
  response.writeHead(200, { 'content-type': type, 'content-length': body.length, 'content-security-policy': CONTENT_SECURITY_POLICY, 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
  response.end(body);
}

function json(response: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  response.end(body);
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_RPC_BODY) {
        request.destroy();
        reject(new Error('too_large'));
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
