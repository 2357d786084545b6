import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../../electron/main/ipc/dispatch-command.js';
import type { CommandHandlers } from '../../../electron/main/services/command-handlers.js';
import { ConsoleError } from '../../../electron/main/services/console-error.js';
import { startWebHost, type WebHost } from '../../../electron/main/web/web-host.js';
import { rawRequest } from '../../helpers/raw-request.js';
import { tempDir } from '../../helpers/test-receiver.js';

/**
 * Browser mode's transport over real HTTP. The handlers here are a few fixed functions: the
 * subject is the door (token, Host, Origin, validation), not the services behind it.
 */
const handlers = {
  'localReceiver.status': () => Promise.resolve({ running: false, url: null, integrations: [] }),
  'fleets.remove': ({ id }: { id: string }) => (id === 'f-gone' ? Promise.reject(new ConsoleError('fleet_not_found', 'no fleet "f-gone"')) : Promise.resolve({ removed: true })),
  'fleets.list': () => Promise.reject(new Error('disk on fire /secret/path')),
} as unknown as CommandHandlers;

describe('browser mode', () => {
  let host: WebHost;
  const staticDir = tempDir();
  const reports: string[] = [];
  beforeAll(async () => {
    mkdirSync(join(staticDir, 'assets'));
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Hookwarden</title>');
    writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log(1)');
    host = await startWebHost({ dispatch: createDispatcher(handlers, (message) => reports.push(message)), staticDir });
  });
  afterAll(async () => {
    await host.close();
    rmSync(staticDir, { recursive: true, force: true });
  });

  const rpc = (command: string, body: unknown, headers: Record<string, string> = { 'x-hookwarden-token': host.token }) =>
    fetch(`${host.url}/rpc/${command}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('listens on 127.0.0.1 only', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers a valid call with {ok: true, result}', async () => {
    const response = await rpc('localReceiver.status', {});
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, result: { running: false, url: null, integrations: [] } });
  });

  it('refuses a missing or wrong token with 401', async () => {
    expect((await rpc('localReceiver.status', {}, {})).status).toBe(401);
    expect((await rpc('localReceiver.status', {}, { 'x-hookwarden-token': 'x'.repeat(43) })).status).toBe(401);
  });

  it('refuses a foreign Origin or Host with 403', async () => {
    expect((await rpc('localReceiver.status', {}, { 'x-hookwarden-token': host.token, origin: 'https://evil.example' })).status).toBe(403);
    const port = new URL(host.url).port;
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/rpc/localReceiver.status', method: 'POST', headers: { host: `rebound.example:${port}`, 'x-hookwarden-token': host.token } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.end('{}');
    });
    expect(status).toBe(403);
  });

  it('answers invalid input with 400 and a typed error naming the field, without echoing it', async () => {
    const response = await rpc('fleets.remove', { id: 'NOT VALID <script>' });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { ok: boolean; error: { code: string; message: string } };
    expect(body).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(body.error.message).toMatch(/^id: /);
    expect(body.error.message).not.toContain('<script>');
  });

  it('passes a service\'s own error through, and hides an unexpected one', async () => {
    expect(await (await rpc('fleets.remove', { id: 'f-gone' })).json()).toEqual({ ok: false, error: { code: 'fleet_not_found', message: 'no fleet "f-gone"' } });
    const hidden = (await (await rpc('fleets.list', {})).json()) as { error: { code: string; message: string } };
    expect(hidden.error.code).toBe('internal');
    expect(hidden.error.message).not.toContain('/secret/path');
    expect(reports.join('\n')).toContain('disk on fire');
  });

  it('answers an unknown command with 404', async () => {
    expect((await rpc('fleets.explode', {})).status).toBe(404);
  });

  it('streams emitted events over /events', async () => {
    const controller = new AbortController();
    const response = await fetch(`${host.url}/events?token=${host.token}`, { signal: controller.signal });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const reader = response.body!.getReader();
    await reader.read();
    host.emit('alerts', { alerts: [{ id: 'a1', kind: 'clock_skew', fleetId: 'f', message: 'clock off', at: new Date(0).toISOString() }] });
    let text = '';
    while (!text.includes('clock off')) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toContain('event: alerts');
    controller.abort();
    expect((await fetch(`${host.url}/events`)).status).toBe(401);
  });

  it('serves the renderer with its CSP, and index.html for client routes', async () => {
    const script = await fetch(`${host.url}/assets/app.js`);
    expect(script.headers.get('content-type')).toContain('text/javascript');
    const page = await fetch(`${host.url}/live`);
    expect(await page.text()).toContain('<title>Hookwarden</title>');
    expect(page.headers.get('content-security-policy')).toContain("connect-src 'self'");
    expect((await fetch(`${host.url}/..%2f..%2fetc/passwd`)).headers.get('content-type')).toContain('text/html');
  });

  it('answers a malformed URL with 400, with or without a token, and keeps serving', async () => {
    const port = new URL(host.url).port;
    const send = (method: string, path: string, headers: Record<string, string> = {}) => rawRequest(port, method, path, headers);
    for (const path of ['/%E0%A4%A', '/assets/%', '/%C0%AF..%C0%AF', '/live%FF']) expect(await send('GET', path)).toBe(400);
    for (const headers of [{}, { 'x-hookwarden-token': host.token }]) expect(await send('POST', '/rpc/%E0%A4%A', headers)).toBe(400);
    expect((await rpc('localReceiver.status', {})).status).toBe(200);
  });
});
