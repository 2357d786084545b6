import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { recorded } from '../../helpers/electron-stand-in.js';
import { alive, descendants, listening } from '../../helpers/process-tree.js';

// The Electron binary cannot be downloaded or launched on this machine: the shell's main process runs
// here against the stand-in `electron` module, as in the shell-security and packaging tests. Everything
// behind it is real: three receiver processes, redis-server, the console services and the web host.
vi.mock('electron', async () => (await import('../../helpers/electron-stand-in.js')).electronStandIn());

interface Fleet {
  readonly name: string;
  readonly tokenStorage: string;
  readonly nodes: ReadonlyArray<{ ok: boolean }>;
}

/**
 * `npm run demo` where Electron runs: the CLI starts Electron with `--demo`; this test starts the
 * main process the same way. The window must reach the demo's fleet over IPC, the console line must
 * be printed and valid, and quitting (Ctrl-C, the window closed) must stop the demo and leave nothing behind.
 */
describe('the desktop demo (Electron main process with --demo)', () => {
  const printed: string[] = [];
  const argv = process.argv;
  const invoke = (command: string, input: object = {}) =>
    recorded.ipcHandlers.get('hookwarden:invoke')!({ senderFrame: { url: 'app://hookwarden/index.html' } }, command, input) as Promise<{ ok: boolean; result?: unknown; error?: { message: string } }>;

  beforeAll(async () => {
    const write = process.stdout.write.bind(process.stdout);
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      printed.push(...String(chunk).split('\n').filter(Boolean));
      return (write as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean)(chunk, ...rest);
    });
    // As the CLI starts it: the Node binary running this test runs the receiver nodes. Incidents every 2 s.
    process.argv = [...argv.slice(0, 2), '--demo', '--port', '0', '--incident-every', '2', '--node', process.execPath];
    await import('../../../electron/main/index.js');
    await vi.waitFor(() => expect(recorded.windows).toHaveLength(1), { timeout: 120_000, interval: 200 });
  }, 150_000);

  afterAll(() => {
    process.argv = argv;
    vi.restoreAllMocks();
  });

  it('opens the window in a throwaway profile, not the operator\'s', () => {
    expect(recorded.windows[0]!.loaded).toBe('app://hookwarden/index.html');
    expect(recorded.userData).toMatch(/hookwarden-demo-window-/);
    expect(existsSync(recorded.userData)).toBe(true);
  });

  it('answers fleets.list over IPC with the demo fleet connected: three healthy nodes', async () => {
    await vi.waitFor(
      async () => {
        const answer = await invoke('fleets.list');
        expect(answer.ok).toBe(true);
        const fleets = answer.result as Fleet[];
        expect(fleets).toHaveLength(1);
        expect(fleets[0]).toMatchObject({ name: 'Demo fleet', tokenStorage: 'session' });
        expect(fleets[0]!.nodes.map((node) => node.ok)).toEqual([true, true, true]);
      },
      { timeout: 60_000, interval: 500 },
    );
  }, 90_000);

  it('prints the same console line as `npm run web`, and the web host serves the same demo', async () => {
    const line = printed.find((entry) => entry.startsWith('Hookwarden console: '));
    const match = /^Hookwarden console: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)$/.exec(line ?? '');
    expect(match, printed.join('\n')).not.toBeNull();
    const url = new URL(match![1]!);
    const response = await fetch(new URL('/rpc/fleets.list', url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hookwarden-token': url.searchParams.get('token')! },
      body: '{}',
    });
    const answer = (await response.json()) as { ok: boolean; result: Fleet[] };
    expect(answer.result.map((fleet) => fleet.name)).toEqual(['Demo fleet']);
  });

  it('sends the window the console\'s events', async () => {
    await vi.waitFor(() => expect(recorded.windows[0]!.webContents.sent.some(([channel]) => channel === 'hookwarden:event')).toBe(true), { timeout: 60_000, interval: 500 });
  }, 90_000);

  it('stops the demo on Ctrl-C: the quit waits for it, a second quit does not cut it short, then no process, port or folder is left', async () => {
    const children = descendants(process.pid);
    expect(children.length).toBeGreaterThanOrEqual(4); // three nodes and redis-server
    const output = printed.join('\n');
    const ports = [...output.matchAll(/127\.0\.0\.1:(\d+)/g)].map((match) => Number(match[1]));
    expect(ports.length).toBeGreaterThanOrEqual(8); // console, redis, and each node's ingress and admin
    const dataDir = /their data in (\S+)$/m.exec(output)?.[1];
    expect(dataDir && existsSync(dataDir)).toBe(true);

    // The listeners a terminal's Ctrl-C would run (emitted, not sent: a real SIGINT would end the test runner too).
    process.emit('SIGINT');
    expect(recorded.quit).toBe(false);
    // Closing the window while the nodes flush is one more quit, held like the first.
    recorded.app.emit('window-all-closed');
    expect(recorded.quit).toBe(false);
    await vi.waitFor(() => expect(recorded.quit).toBe(true), { timeout: 60_000, interval: 200 });
    for (const pid of children) expect(alive(pid), `process ${pid} is still running`).toBe(false);
    for (const port of ports) await expect(listening(port), `port ${port} still listens`).resolves.toBe(false);
    expect(existsSync(dataDir!)).toBe(false);
    expect(printed).toContain('demo stopped: no process or port left behind');
  }, 90_000);
});
