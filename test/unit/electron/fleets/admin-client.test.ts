import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { AdminClient, adminOrigin } from '../../../../electron/main/services/fleets/admin-client.js';
import { AdminApiError } from '../../../../electron/main/services/fleets/admin-error.js';

/** The client against a stub HTTP server: retries, timeouts, validation, error text. */

const TOKEN = 'tok_'.padEnd(40, 'x');
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function stub(handle: (request: IncomingMessage, response: ServerResponse) => void): Promise<{ url: string; requests: { method: string; url: string; authorization: string | undefined }[] }> {
  const requests: { method: string; url: string; authorization: string | undefined }[] = [];
  const server = createServer((request, response) => {
    requests.push({ method: request.method ?? '', url: request.url ?? '', authorization: request.headers.authorization });
    request.resume();
    request.on('end', () => handle(request, response));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, requests };
}

const json = (response: ServerResponse, status: number, body: unknown) => {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
};

const client = (url: string, extra: Partial<ConstructorParameters<typeof AdminClient>[0]> = {}) =>
  new AdminClient({ url, token: TOKEN, retries: 2, retryBackoff: { initialMs: 5, maxMs: 10 }, readTimeoutMs: 2_000, ...extra });

const failure = (promise: Promise<unknown>): Promise<AdminApiError> =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(AdminApiError);
      return error as AdminApiError;
    },
  );

describe('AdminClient', () => {
  it('sends the bearer token to /admin/v1 and validates the answer', async () => {
    const node = await stub((_, response) => json(response, 200, { nodeId: 'n1', version: '1.0.0', startedAt: new Date().toISOString(), uptimeSeconds: 3, storage: { ok: true } }));
    const info = await client(`${node.url}/admin/v1/`).node();
    expect(info.nodeId).toBe('n1');
    expect(node.requests).toEqual([{ method: 'GET', url: '/admin/v1/node', authorization: `Bearer ${TOKEN}` }]);
  });

  it('retries a read after a 503, with backoff, and succeeds', async () => {
    let calls = 0;
    const node = await stub((_, response) => (++calls < 3 ? json(response, 503, { error: { code: 'unavailable', message: 'busy' } }) : json(response, 200, { integrations: [] })));
    expect(await client(node.url).integrations()).toEqual([]);
    expect(node.requests).toHaveLength(3);
  });

  it('never retries a write, even after a 503: no double kill', async () => {
    const node = await stub((_, response) => json(response, 503, { error: { code: 'unavailable', message: 'busy' } }));
    const error = await failure(client(node.url).kill('pay', { mode: 'reject', reason: 'x' }));
    expect(node.requests).toEqual([{ method: 'POST', url: '/admin/v1/integrations/pay/kill', authorization: `Bearer ${TOKEN}` }]);
    expect(error.message).toMatch(/answered POST \/admin\/v1\/integrations\/pay\/kill with 503 unavailable: busy/);
    expect(error.details).toMatchObject({ kind: 'http', status: 503, requestSent: true });
  });

  it('never retries a write that timed out either', async () => {
    const node = await stub(() => undefined);
    const error = await failure(client(node.url, { readTimeoutMs: 100 }).release('pay', { reason: 'x' }));
    expect(node.requests).toHaveLength(1);
    expect(error).toMatchObject({ code: 'node_timeout', details: { kind: 'timeout', requestSent: true } });
  });

  it('times out a silent read, retrying it as configured', async () => {
    const node = await stub(() => undefined);
    const error = await failure(client(node.url, { readTimeoutMs: 100, retries: 1 }).node());
    expect(node.requests).toHaveLength(2);
    expect(error.message).toMatch(/did not answer GET \/admin\/v1\/node in time/);
  });

  it('maps 401, 403 and other errors to plain messages that never hold the token, even when the node echoes it', async () => {
    const node = await stub((request, response) => {
      if (request.url?.includes('node')) return json(response, 401, { error: { code: 'unauthorized', message: `bad token ${TOKEN}` } });
      if (request.url?.includes('kill')) return json(response, 403, { error: { code: 'forbidden', message: 'needs operate' } });
      return json(response, 404, { error: { code: 'not_found', message: 'no delivery "r1" in the log' } });
    });
    const unauthorized = await failure(client(node.url).node());
    expect(unauthorized).toMatchObject({ code: 'token_refused', details: { kind: 'token_refused', status: 401 } });
    expect(unauthorized.message).not.toContain(TOKEN);
    expect(unauthorized.message).toMatch(/refused the admin token \(401: bad token \[redacted\]\)/);
    const forbidden = await failure(client(node.url).kill('pay', { mode: 'hold', reason: 'x' }));
    expect(forbidden).toMatchObject({ code: 'scope_insufficient' });
    const missing = await failure(client(node.url).delivery('r1'));
    expect(missing).toMatchObject({ code: 'not_found', details: { status: 404 } });
    expect(missing.message).toMatch(/answered GET \/admin\/v1\/deliveries\/r1 with 404 not_found: no delivery "r1" in the log/);
    const noToken = await failure(client(node.url, { token: undefined }).node());
    expect(noToken.message).toMatch(/requires an admin token and none is set/);
    expect(node.requests.at(-1)?.authorization).toBeUndefined();
  });

  it('refuses an answer that is not the admin API shape, and one too large', async () => {
    const node = await stub((request, response) => (request.url?.includes('audit') ? json(response, 200, { entries: 'x'.repeat(5_000) }) : json(response, 200, { nodeId: 1 })));
    const invalid = await failure(client(node.url).node());
    expect(invalid).toMatchObject({ code: 'invalid_response' });
    expect(invalid.message).toMatch(/not the admin API's answer \(nodeId: /);
    const large = await failure(client(node.url, { maxResponseBytes: 1_000 }).audit());
    expect(large.message).toMatch(/larger than 1000 bytes/);
  });

  it('reports a refused connection as unreachable, not sent', async () => {
    const node = await stub(() => undefined);
    await new Promise((resolve) => servers.pop()?.close(resolve));
    const error = await failure(client(node.url, { retries: 0 }).node());
    expect(error).toMatchObject({ code: 'node_unreachable', details: { kind: 'unreachable', requestSent: false, reachable: false } });
    expect(error.message).toMatch(/^cannot reach http:\/\/127\.0\.0\.1:\d+: connection refused/);
  });

  it('cancels a call when its signal aborts', async () => {
    const node = await stub(() => undefined);
    const controller = new AbortController();
    const pending = failure(client(node.url).node({ signal: controller.signal }));
    setTimeout(() => controller.abort(), 50);
    expect((await pending).code).toBe('cancelled');
  });

  it('encodes ids and builds query strings', async () => {
    const node = await stub((_, response) => json(response, 200, { deliveries: [], nextCursor: null }));
    await client(node.url).deliveries({ integration: 'a b', outcome: ['accepted', 'rejected'], cursor: '12', limit: 5 });
    expect(node.requests[0]?.url).toBe('/admin/v1/deliveries?integration=a+b&outcome=accepted%2Crejected&cursor=12&limit=5');
  });

  it('refuses to send the token in the clear to a node it was told to verify, and refuses a token a header cannot carry', async () => {
    const node = await stub((_, response) => json(response, 200, {}));
    const error = await failure(client(node.url, { fingerprint: 'ab'.repeat(32) }).node());
    expect(error).toMatchObject({ code: 'tls_failed', details: { requestSent: false } });
    expect(error.message).toMatch(/pinned, but the URL is http:\/\//);
    expect(node.requests).toHaveLength(0);
    const bad = `${TOKEN}\r\nx-evil: 1`;
    expect(() => client(node.url, { token: bad })).toThrow(/printable ASCII/);
    try {
      client(node.url, { token: bad });
    } catch (caught) {
      expect(String((caught as Error).message)).not.toContain(TOKEN);
    }
  });

  it('accepts only admin listener URLs without credentials', () => {
    expect(adminOrigin('https://node:9090/admin/v1').href).toBe('https://node:9090/');
    expect(() => adminOrigin('ftp://node')).toThrow(/http:\/\/ or https:\/\//);
    expect(() => adminOrigin('https://user:pw@node')).toThrow(/must not carry a user name or password/);
    expect(() => adminOrigin('https://node/other')).toThrow(/no path other than/);
    expect(() => new AdminClient({ url: 'https://node', fingerprint: 'abc' })).toThrow(/SHA-256 certificate fingerprint/);
  });
});
