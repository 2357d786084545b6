// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import type { ConsoleBridge } from '../../../shared/contract/console.js';
import { takeBrowserToken } from '../../../renderer/src/api/browser-token.js';
import { bridgeClient, httpClient, type HttpTransport } from '../../../renderer/src/api/client.js';
import { CommandFailure } from '../../../renderer/src/api/command-failure.js';

const TOKEN = 'per-launch-token';

/** A transport whose fetch answers with `respond`, and records what it was asked. */
function transport(respond: () => Response | Promise<Response>) {
  const requests: { url: string; init: RequestInit | undefined }[] = [];
  const sources: FakeEventSource[] = [];
  const http: HttpTransport = {
    fetch: (url, init) => {
      requests.push({ url: String(url), init });
      return Promise.resolve().then(respond);
    },
    openEvents: (url) => {
      const source = new FakeEventSource(url);
      sources.push(source);
      return source as unknown as EventSource;
    },
  };
  return { http, requests, sources };
}

class FakeEventSource extends EventTarget {
  constructor(readonly url: string) {
    super();
  }
  push(event: string, data: unknown) {
    this.dispatchEvent(new MessageEvent(event, { data: JSON.stringify(data) }));
  }
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

async function failureOf(promise: Promise<unknown>): Promise<CommandFailure> {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(CommandFailure);
  return error as CommandFailure;
}

describe('the browser-mode client', () => {
  it('posts the input as JSON to /rpc/<command> with the token, and returns the result', async () => {
    const { http, requests } = transport(() => json(200, { ok: true, result: [{ id: 'eu', name: 'EU', tokenStorage: 'keychain', nodes: [] }] }));
    await expect(httpClient(TOKEN, http).invoke('fleets.list', {})).resolves.toEqual([{ id: 'eu', name: 'EU', tokenStorage: 'keychain', nodes: [] }]);
    expect(requests).toHaveLength(1);
    expect(requests[0]?.url).toBe('./rpc/fleets.list');
    expect(requests[0]?.init?.method).toBe('POST');
    expect(new Headers(requests[0]?.init?.headers).get('x-hookwarden-token')).toBe(TOKEN);
    expect(requests[0]?.init?.body).toBe('{}');
  });

  it('turns {ok: false} into a CommandFailure with the code and the message', async () => {
    const { http } = transport(() => json(200, { ok: false, error: { code: 'fleet_unreachable', message: 'no node of “EU” answered' } }));
    const failure = await failureOf(httpClient(TOKEN, http).invoke('integrations.list', { fleetId: 'eu' }));
    expect(failure.code).toBe('fleet_unreachable');
    expect(failure.message).toBe('no node of “EU” answered');
  });

  it('keeps the code and message of an invalid input (HTTP 400)', async () => {
    const { http } = transport(() => json(400, { ok: false, error: { code: 'invalid_input', message: 'reason: a reason is required' } }));
    const failure = await failureOf(httpClient(TOKEN, http).invoke('integrations.kill', { fleetId: 'eu', integrationId: 'pay', mode: 'hold', reason: '' }));
    expect([failure.code, failure.message]).toEqual(['invalid_input', 'reason: a reason is required']);
  });

  it('says what to do when the token is refused (401) or the page is refused (403)', async () => {
    const unauthorized = await failureOf(httpClient(TOKEN, transport(() => json(401, { ok: false, error: { code: 'unauthorized', message: 'x' } })).http).invoke('fleets.list', {}));
    expect(unauthorized.code).toBe('unauthorized');
    expect(unauthorized.message).toMatch(/open the URL the console printed/);
    const forbidden = await failureOf(httpClient(TOKEN, transport(() => json(403, { ok: false, error: { code: 'forbidden_origin', message: 'x' } })).http).invoke('fleets.list', {}));
    expect(forbidden.code).toBe('forbidden');
  });

  it('reports an answer without a result, and a console that does not answer', async () => {
    const proxyPage = await failureOf(httpClient(TOKEN, transport(() => new Response('<html>Bad gateway</html>', { status: 502 })).http).invoke('fleets.list', {}));
    expect([proxyPage.code, proxyPage.message]).toEqual(['bad_answer', 'The console answered HTTP 502 without a result.']);
    const odd = await failureOf(httpClient(TOKEN, transport(() => json(200, { hello: 'world' })).http).invoke('fleets.list', {}));
    expect(odd.code).toBe('bad_answer');
    const gone = await failureOf(
      httpClient(TOKEN, transport(() => Promise.reject(new TypeError('Failed to fetch'))).http).invoke('fleets.list', {}),
    );
    expect(gone.code).toBe('unreachable');
  });

  it('opens one event stream for every listener, with the token, and stops calling a listener once unsubscribed', () => {
    const { http, sources } = transport(() => json(200, {}));
    const client = httpClient(TOKEN, http);
    const seen: number[] = [];
    const off = client.on('deliveries', (payload) => seen.push(payload.dropped));
    client.on('alerts', () => {});
    expect(sources).toHaveLength(1);
    expect(sources[0]?.url).toBe(`./events?token=${TOKEN}`);
    sources[0]?.push('deliveries', { deliveries: [], dropped: 3 });
    off();
    sources[0]?.push('deliveries', { deliveries: [], dropped: 4 });
    expect(seen).toEqual([3]);
  });
});

describe('the Electron client', () => {
  it('maps the bridge\'s {ok: false} to the same CommandFailure', async () => {
    const bridge: ConsoleBridge = {
      invoke: () => Promise.resolve({ ok: false, error: { code: 'unknown_fleet', message: 'no fleet “us”' } }),
      on: () => () => {},
    };
    const failure = await failureOf(bridgeClient(bridge).invoke('audit.list', { fleetId: 'us' }));
    expect([failure.code, failure.message]).toEqual(['unknown_fleet', 'no fleet “us”']);
  });
});

describe('the browser-mode token', () => {
  afterEach(() => {
    sessionStorage.clear();
    window.history.replaceState(null, '', '/');
  });

  it('is taken from the address once, kept for the tab, and removed from the address bar', () => {
    window.history.replaceState(null, '', `/?token=${TOKEN}#inventory`);
    expect(takeBrowserToken()).toBe(TOKEN);
    expect(window.location.href).not.toContain(TOKEN);
    expect(window.location.hash).toBe('#inventory');
    expect(takeBrowserToken()).toBe(TOKEN);
    expect(localStorage.length).toBe(0);
  });
});
