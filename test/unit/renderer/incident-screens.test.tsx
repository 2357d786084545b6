// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { QueryClientProvider } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiProvider } from '../../../renderer/src/api/context.js';
import type { AlertEvent, FleetSummary, IntegrationEntry, NodeTest } from '../../../shared/contract/console.js';
import { AlertToasts, TOAST_MS } from '../../../renderer/src/app/AlertToasts.js';
import { NotificationsScreen } from '../../../renderer/src/app/NotificationsScreen.js';
import { FleetCard } from '../../../renderer/src/screens/fleets/FleetCard.js';
import { FleetForm } from '../../../renderer/src/screens/fleets/FleetForm.js';
import { KillSwitch } from '../../../renderer/src/screens/integration/KillSwitch.js';
import { InventoryRow } from '../../../renderer/src/screens/inventory/InventoryRow.js';
import { integrationEntry } from './console-fixtures.js';
import { fakeApi } from './fake-api.js';
import { renderWithApi } from './render-with-api.js';

const twoNodes = ['https://eu-1:9090', 'https://eu-2:9090'];
const fleet = (fields: Partial<FleetSummary> = {}): FleetSummary => ({
  id: 'prod',
  name: 'production EU',
  tokenStorage: 'keychain',
  nodes: twoNodes.map((url) => ({ url, ok: true })),
  scope: 'admin',
  ...fields,
});

describe('the kill switch during an incident', () => {
  afterEach(cleanup);
  const stripe = (fields: Partial<IntegrationEntry> = {}) => integrationEntry({ nodes: twoNodes.map((url) => ({ url, status: 'active', secretIds: ['s1'] })), ...fields });

  const engage = async (reason = 'incident 42') => {
    fireEvent.click(screen.getByLabelText(/Reject \(503/));
    fireEvent.change(screen.getByLabelText(/Reason \(required/), { target: { value: reason } });
    fireEvent.click(screen.getByRole('button', { name: 'Engage kill switch…' }));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Engage' })));
  };

  it('disables what a read-only token cannot do, and says why', async () => {
    renderWithApi(<KillSwitch integration={stripe()} />, fakeApi({ 'fleets.list': () => [fleet({ scope: 'read' })] }));
    await screen.findByText(/token has the read scope: engaging or releasing the kill switch needs operate/);
    expect((screen.getByLabelText(/Reason \(required/) as HTMLInputElement).disabled).toBe(true);
    expect((screen.getByRole('button', { name: 'Engage kill switch…' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('names a scope refusal as such, never "out of step"', async () => {
    const refused = (url: string) => ({ url, ok: false, code: 'scope_insufficient', error: `${url}: the token's scope is not enough for POST /admin/v1/integrations/stripe-payments/kill` });
    renderWithApi(<KillSwitch integration={stripe()} />, fakeApi({ 'fleets.list': () => [fleet({ scope: null })], 'integrations.kill': () => ({ nodes: twoNodes.map(refused) }), 'integrations.list': () => [stripe()] }));
    await engage();
    await screen.findByText("refused by the token's scope on 2 of 2 nodes — nothing changed there");
    expect(screen.queryByText(/out of step/)).toBeNull();
    expect(screen.queryByRole('button', { name: 'Retry on this node' })).toBeNull();
  });

  it('re-checks a node that failed: once it shows the kill (taken from the shared state) the failure is gone; a node still without it gets a retry of its own', async () => {
    let eu2 = 'active';
    const api = fakeApi({
      'fleets.list': () => [fleet()],
      'integrations.kill': (input) =>
        input.nodeUrls ? { nodes: [{ url: 'https://eu-2:9090', ok: true }] } : { nodes: [{ url: 'https://eu-1:9090', ok: true }, { url: 'https://eu-2:9090', ok: false, error: 'not sent: cannot reach https://eu-2:9090' }] },
      'integrations.list': () => [stripe()],
    });
    const { rerender: rerenderBare, queryClient } = renderWithApi(<KillSwitch integration={stripe()} />, api);
    const rerender = (ui: ReactNode) =>
      rerenderBare(
        <ApiProvider api={api}>
          <QueryClientProvider client={queryClient}>{ui}</QueryClientProvider>
        </ApiProvider>,
      );
    await engage();
    await screen.findByText('failed on 1 of 2 nodes; retry each below');
    // The node came back and enforces the kill from Redis: its fresh state says so.
    eu2 = 'killed';
    const fresh = stripe({ status: 'killed', nodes: [{ url: 'https://eu-1:9090', status: 'killed', secretIds: ['s1'] }, { url: 'https://eu-2:9090', status: eu2, secretIds: ['s1'] }] });
    rerender(<KillSwitch integration={{ ...fresh, kill: null }} />);
    await screen.findByText('applied on all 2 nodes');
    expect(screen.getByRole('list', { name: 'Kill switch per node' }).textContent).toContain('applied since');

    // Had it not, the retry goes to that node alone, with the same mode and reason.
    rerender(<KillSwitch integration={stripe()} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Retry on this node' }));
    await screen.findByText('applied on all 2 nodes');
    expect(api.calls).toContainEqual({ command: 'integrations.kill', input: { fleetId: 'prod', integrationId: 'stripe-payments', nodeUrls: ['https://eu-2:9090'], mode: 'reject', reason: 'incident 42' } });
  });

  it('reads the held count fresh when asked to deliver or discard, and shows what happened to them after', async () => {
    let held = 3;
    const engaged = stripe({ status: 'held', heldCount: 1, kill: { mode: 'hold', reason: 'incident', since: new Date().toISOString(), actor: 'console' } });
    const api = fakeApi({
      'fleets.list': () => [fleet()],
      'integrations.list': () => [{ ...engaged, heldCount: held }],
      'integrations.resume': () => ({ nodes: twoNodes.map((url) => ({ url, ok: true })), held: { disposition: 'release', count: held } }),
    });
    renderWithApi(<KillSwitch integration={engaged} />, api);
    fireEvent.change(screen.getByLabelText(/Reason for releasing/), { target: { value: 'over' } });
    held = 5;
    fireEvent.click(screen.getByRole('button', { name: 'Release and deliver what was held' }));
    // The inventory said 1; the nodes say 5 now, and that is the number the choice is made on.
    await screen.findByText('5 held deliveries');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Release now' })));
    await screen.findByText('5 held deliveries released downstream');
  });
});

describe('alerts', () => {
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });
  const alert = (id: string, fields: Partial<AlertEvent> = {}): AlertEvent => ({
    id,
    kind: 'fleet_refusing',
    fleetId: 'prod',
    message: `production EU refuses traffic (${id})`,
    at: new Date().toISOString(),
    ...fields,
  });

  it('shows at most three toasts, each linked to the screen that explains it, and lets them go by themselves', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const api = fakeApi({ 'fleets.list': () => [fleet()] });
    renderWithApi(<AlertToasts />, api);
    act(() => api.emit('alerts', { alerts: [alert('a1'), alert('a2'), alert('a3', { kind: 'signature_failures', integrationId: 'pay' }), alert('a4')] }));
    const toasts = screen.getByRole('region', { name: 'New alerts' });
    expect(within(toasts).getAllByRole('status')).toHaveLength(3);
    expect(within(toasts).getByRole('link', { name: 'Show the rejected deliveries' }).getAttribute('href')).toBe('#live?fleet=prod&integration=pay&outcome=rejected');
    expect(within(toasts).getAllByRole('link', { name: "Show the fleet's health" })[0]?.getAttribute('href')).toBe('#fleets');
    for (let i = 0; i < 3; i++) act(() => vi.advanceTimersByTime(TOAST_MS));
    expect(screen.queryByRole('region', { name: 'New alerts' })).toBeNull();
  });

  it('keeps every alert in the notification list, newest first, and acknowledges them', async () => {
    const entries = [
      { ...alert('a2', { kind: 'recovered', message: 'production EU takes traffic again' }), acknowledged: false },
      { ...alert('a1'), acknowledged: true },
    ];
    const api = fakeApi({
      'fleets.list': () => [fleet()],
      'alerts.list': () => entries,
      'alerts.acknowledge': ({ ids }) => {
        for (const entry of entries) if (!ids || ids.includes(entry.id)) entry.acknowledged = true;
        return { acknowledged: 1 };
      },
    });
    renderWithApi(<NotificationsScreen />, api);
    const list = await screen.findByRole('list', { name: 'Alerts, newest first' });
    await waitFor(() => expect(within(list).getAllByRole('listitem').map((item) => item.querySelector('p')?.textContent)).toEqual(['production EU takes traffic again', 'production EU refuses traffic (a1)']));
    expect(screen.getByText('2 alerts, 1 not acknowledged. Newest first.')).toBeTruthy();
    fireEvent.click(within(list).getByRole('button', { name: 'Acknowledge' }));
    await screen.findByText('2 alerts, 0 not acknowledged. Newest first.');
  });
});

describe('the fleets screen', () => {
  afterEach(cleanup);

  it('rolls node health up per fleet and shows the token\'s scope', () => {
    const refusing = { state: 'refusing' as const, readiness: 'not-ready' as const, problems: ['Redis down'], clockOffsetMs: 120, clockUncertaintyMs: 2 };
    const summary = fleet({
      nodes: twoNodes.map((url) => ({ url, ok: false, health: refusing, error: 'Redis down' })),
      health: { state: 'refusing', up: 2, total: 2, summary: '2 of 2 nodes up, refusing traffic: Redis down' },
      scope: 'operate',
    });
    renderWithApi(<FleetCard fleet={summary} onEdit={() => {}} />, fakeApi());
    expect(screen.getByText('2 of 2 nodes up, refusing traffic: Redis down')).toBeTruthy();
    expect(screen.getAllByText('refusing traffic')).toHaveLength(2);
    expect(screen.getAllByText('+0.1 s')).toHaveLength(2);
    expect(screen.getByText('scope: operate')).toBeTruthy();
  });

  it('tests before saving: a refused token is not saved unless the operator saves anyway; a good test clears the old error; a URL typed twice is one node', async () => {
    let token = 'wrong';
    const tested = (input: { nodes: { url: string }[] }): { nodes: NodeTest[] } => ({
      nodes: input.nodes.map(({ url }) =>
        token === 'wrong'
          ? { url, reachable: true, tls: 'plain-http', tokenOk: false, failure: 'token_refused', error: `${url} refused the admin token (401: unauthorized)` }
          : { url, reachable: true, tls: 'plain-http', tokenOk: true, scope: 'admin' },
      ),
    });
    const api = fakeApi({
      'fleets.test': (input) => tested(input as { nodes: { url: string }[] }),
      'fleets.add': (input) => ({ id: 'f-1', name: input.name, nodes: input.nodes.map(({ url }) => ({ url, ok: true })) }),
    });
    const done = vi.fn();
    renderWithApi(<FleetForm onDone={done} />, api);
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'prod' } });
    fireEvent.change(screen.getByLabelText('Admin API URLs, one per line'), { target: { value: 'http://a:9090\nhttp://a:9090/\nhttp://b:9090' } });
    fireEvent.change(screen.getByLabelText('Admin token'), { target: { value: 'wrong' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Test and add the fleet' })));
    await screen.findByText(/The test failed on 2 of 2 nodes: not saved/);
    expect(screen.getAllByText(/^token refused:/)).toHaveLength(2);
    expect(api.calls.some((call) => call.command === 'fleets.add')).toBe(false);
    expect(screen.getByRole('button', { name: 'Save anyway' })).toBeTruthy();

    token = 'right';
    fireEvent.change(screen.getByLabelText('Admin token'), { target: { value: 'right' } });
    expect(screen.queryByText(/The test failed/)).toBeNull();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Test before saving' })));
    await screen.findByText('The test passed on every node.');
    expect(screen.getAllByText('accepted (scope admin)')).toHaveLength(2);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Test and add the fleet' })));
    await waitFor(() => expect(done).toHaveBeenCalled());
    const add = api.calls.find((call) => call.command === 'fleets.add');
    expect(add?.input).toMatchObject({ nodes: [{ url: 'http://a:9090' }, { url: 'http://b:9090' }] });
  });
});

describe('the inventory with a node down', () => {
  afterEach(cleanup);

  it('marks the 24 h count and the failure rate as partial, "1 of 2 nodes"', () => {
    const entry = integrationEntry({ nodes: [{ url: twoNodes[0]!, status: 'active', secretIds: ['s1'] }, { url: twoNodes[1]!, status: 'unreachable', secretIds: [] }] });
    renderWithApi(
      <table>
        <tbody>
          <InventoryRow entry={entry} fleetName="production EU" traffic={[]} now={Date.now()} />
        </tbody>
      </table>,
      fakeApi(),
    );
    expect(screen.getAllByText('partial: 1 of 2 nodes')).toHaveLength(2);
  });
});
