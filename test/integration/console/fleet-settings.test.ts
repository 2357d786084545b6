import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../../electron/main/ipc/dispatch-command.js';
import { createConsoleServices, type ConsoleServices } from '../../../electron/main/services/console-services.js';
import { memoryCredentials } from '../../helpers/memory-credentials.js';
import { startTestReceiver, tempDir, type TestReceiver } from '../../helpers/test-receiver.js';

/**
 * What the console writes when a fleet is added, and what one broken fleet does to the others:
 * over a real receiver node, a real settings file, and an in-memory credential store.
 */
describe('fleets in the settings file', () => {
  const token = randomBytes(24).toString('base64url');
  let node: TestReceiver;
  const opened: ConsoleServices[] = [];
  const dirs: string[] = [];

  beforeAll(async () => {
    node = await startTestReceiver({
      node: { id: 'node-0' },
      admin: { listen: '127.0.0.1:0', tokens: [{ name: 'console', sha256: createHash('sha256').update(token).digest('hex'), scope: 'admin' }] },
      integrations: [{ id: 'pay', scheme: 'stripe', secrets: [{ id: 'first', value: `whsec_${randomBytes(24).toString('base64')}` }] }],
    });
  });
  afterAll(async () => {
    for (const services of opened) await services.close();
    await node.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  async function open(userDataDir: string, credentials = memoryCredentials()) {
    const services = await createConsoleServices({ userDataDir, credentials, emit: () => {} });
    opened.push(services);
    return { services, credentials, dispatch: createDispatcher(services.handlers, () => {}) };
  }
  const fresh = () => {
    const dir = tempDir();
    dirs.push(dir);
    return dir;
  };
  const adminUrl = () => node.engine.adminUrl ?? '';
  const withCredentials = () => adminUrl().replace('http://', 'http://operator:hunter2@');

  it('refuses a node URL with a user name and password before writing anything, and never stores it', async () => {
    const dir = fresh();
    const { dispatch, services, credentials } = await open(dir);
    const answer = await dispatch('fleets.add', { name: 'prod', nodes: [{ url: withCredentials() }], token });
    expect(answer).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringMatching(/^nodes\.0\.url: must not carry a user name or password/) } });
    expect(JSON.stringify(answer)).not.toContain('hunter2');
    // Past the contract too (a caller inside the main process): the registry checks before it writes.
    await expect(services.handlers['fleets.add']({ name: 'prod', nodes: [{ url: withCredentials() }], token, remember: true })).rejects.toThrow(/must not carry a user name or password/);
    expect(existsSync(join(dir, 'settings.json'))).toBe(false);
    expect(credentials.entries.size).toBe(0);
    await expect(services.handlers['fleets.list']({})).resolves.toEqual([]);
  });

  it('keeps a URL entered twice as one node', async () => {
    const { services } = await open(fresh());
    const added = await services.handlers['fleets.add']({ name: 'prod', nodes: [{ url: adminUrl() }, { url: `${adminUrl()}/` }, { url: adminUrl() }], token, remember: true });
    expect(added.nodes).toEqual([{ url: adminUrl(), ok: true }]);
    const [fleet] = await services.handlers['fleets.list']({});
    expect(fleet?.nodes.map((entry) => entry.url)).toEqual([adminUrl()]);
  });

  it('drops credentials an older console wrote into a node URL, and lists the fleet', async () => {
    const dir = fresh();
    const settings = { version: 1, fleets: [{ id: 'f-old', name: 'old', nodes: [{ url: withCredentials() }], tokenStorage: 'keychain' }], localReceiver: {}, preferences: {} };
    writeFileSync(join(dir, 'settings.json'), JSON.stringify(settings));
    const { services } = await open(dir);
    expect(readFileSync(join(dir, 'settings.json'), 'utf8')).not.toContain('hunter2');
    const [fleet] = await services.handlers['fleets.list']({});
    expect(fleet).toMatchObject({ id: 'f-old', tokenStorage: 'missing', nodes: [{ url: adminUrl() }] });
  });

  it('lists the other fleets\' integrations when one fleet\'s session-only token is gone, and names that fleet\'s problem', async () => {
    const dir = fresh();
    const credentials = memoryCredentials();
    const first = await open(dir, credentials);
    const kept = await first.services.handlers['fleets.add']({ name: 'kept', nodes: [{ url: adminUrl() }], token, remember: true });
    const session = await first.services.handlers['fleets.add']({ name: 'session only', nodes: [{ url: adminUrl() }], token, remember: false });
    await first.services.close();
    opened.splice(opened.indexOf(first.services), 1);

    // A restart: the session's token is gone, the keychain's is still there.
    const { services } = await open(dir, credentials);
    const inventory = await services.handlers['integrations.list']({});
    expect(inventory.map((entry) => `${entry.fleetId}/${entry.id}`)).toEqual([`${kept.id}/pay`]);
    await expect(services.handlers['integrations.list']({ fleetId: session.id })).rejects.toThrow(/admin token of "session only" is no longer available/);
    const fleets = await services.handlers['fleets.list']({});
    expect(fleets.find((fleet) => fleet.id === session.id)).toMatchObject({ tokenStorage: 'missing', problem: expect.stringMatching(/no longer available/) });
    expect(fleets.find((fleet) => fleet.id === kept.id)).toMatchObject({ tokenStorage: 'keychain', health: { state: 'healthy' } });
  });
});
