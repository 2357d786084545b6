// @vitest-environment jsdom
import { QueryClient } from '@tanstack/react-query';
import { act, cleanup, configure, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CommandResult, FleetDelivery } from '../../../shared/contract/console.js';
import { CommandFailure } from '../../../renderer/src/api/command-failure.js';
import { LIVE_KEY, useLiveFeed } from '../../../renderer/src/queries/live-deliveries.js';
import { appendLive, EMPTY_LIVE, type LiveLog } from '../../../renderer/src/queries/live-log.js';
import { NO_FILTER } from '../../../renderer/src/screens/live/live-filter.js';
import { LiveScreen } from '../../../renderer/src/screens/live/LiveScreen.js';
import { fleetDelivery } from '../../helpers/delivery-summary.js';
import { fakeApi, type FakeApi } from './fake-api.js';
import { renderWithApi } from './render-with-api.js';

const FLEETS = [{ id: 'prod', name: 'production EU', tokenStorage: 'keychain' as const, nodes: [{ url: 'https://n1.example:9090', ok: true, nodeId: 'eu-1' }, { url: 'https://n2.example:9090', ok: true, nodeId: 'eu-2' }] }];
const STREAMS = [{ fleetId: 'prod', url: 'https://n1.example:9090', state: 'live' as const }, { fleetId: 'prod', url: 'https://n2.example:9090', state: 'retrying' as const, error: 'the connection to the node was lost' }];
const NO_PAGE: CommandResult<'deliveries.list'> = { deliveries: [], nextCursor: null };

/** The app's feed and the screen together, as App mounts them. */
function LiveWithFeed(props: Parameters<typeof LiveScreen>[0]) {
  useLiveFeed();
  return <LiveScreen {...props} />;
}

/** `count` deliveries, newest first, every tenth a rejection. */
function deliveries(count: number): FleetDelivery[] {
  return Array.from({ length: count }, (_, index) =>
    fleetDelivery({ seq: count - index, outcome: index % 10 === 0 ? 'rejected' : 'accepted', reason: index % 10 === 0 ? 'signature_invalid' : null }),
  );
}

/** A console whose main process answers `deliveries.streams` with an event too, as the real one does. */
function consoleApi(answers: Parameters<typeof fakeApi>[0] = {}): FakeApi {
  const api: FakeApi = fakeApi({
    'fleets.list': () => FLEETS,
    'integrations.list': () => [],
    'localReceiver.status': () => ({ running: false, url: null, port: 4455, integrations: [] }),
    'deliveries.list': () => NO_PAGE,
    'deliveries.streams': () => {
      queueMicrotask(() => act(() => api.emit('streams', { nodes: STREAMS })));
      return { nodes: STREAMS };
    },
    ...answers,
  });
  return api;
}

function renderLive(options: { live?: readonly FleetDelivery[]; received?: number; api?: FakeApi; props?: Parameters<typeof LiveScreen>[0] } = {}) {
  const api = options.api ?? consoleApi();
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const log = appendLive(EMPTY_LIVE, (options.live ?? []).toReversed(), 0);
  queryClient.setQueryData<LiveLog>(LIVE_KEY, { ...log, received: options.received ?? log.received });
  renderWithApi(<LiveWithFeed {...options.props} />, api, queryClient);
  return { api, queryClient };
}

const status = () => screen.getByText(/ shown of /).textContent ?? '';
const listed = () => within(screen.getByRole('list', { name: 'Deliveries, newest first' })).queryAllByRole('listitem');
const historyCalls = (api: FakeApi) => api.calls.filter((call) => call.command === 'deliveries.list').map((call) => call.input);

describe('the Live screen', () => {
  afterEach(() => {
    cleanup();
    window.history.replaceState(null, '', '#');
  });

  // jsdom lays nothing out: give the list's scroller the height of a window so that rows render.
  beforeAll(() => {
    // Generous waits: CI machines are busy, and nothing here is about speed.
    configure({ asyncUtilTimeout: 15_000 });
    Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
      configurable: true,
      get(this: HTMLElement) {
        return this.classList.contains('live-scroller') ? 640 : 0;
      },
    });
  });
  afterAll(() => {
    configure({ asyncUtilTimeout: 1_000 });
    delete (HTMLElement.prototype as { clientHeight?: number }).clientHeight;
  });

  it('keeps a hundred thousand deliveries out of the DOM but a screenful', () => {
    renderLive({ live: deliveries(100_000) });
    expect(status()).toContain('100000 shown of 100000');
    const rendered = screen.queryAllByRole('listitem').length;
    expect(rendered).toBeGreaterThanOrEqual(20);
    expect(rendered).toBeLessThan(100);
  });

  it('filters by outcome, reason and text', () => {
    renderLive({ live: deliveries(50) });
    fireEvent.change(screen.getByLabelText('Outcome'), { target: { value: 'rejected' } });
    expect(status()).toContain('5 shown of 50');
    fireEvent.change(screen.getByLabelText('Outcome'), { target: { value: 'all' } });
    fireEvent.change(screen.getByLabelText('Reason'), { target: { value: 'signature_invalid' } });
    expect(status()).toContain('5 shown of 50');
    fireEvent.change(screen.getByLabelText('Text'), { target: { value: 'r50' } });
    expect(status()).toContain('1 shown of 50');
  });

  it('holds the list still while paused, counts what arrives meanwhile, and shows it on resume', async () => {
    const { api } = renderLive({ live: deliveries(10) });
    fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
    act(() => api.emit('deliveries', { deliveries: [fleetDelivery({ seq: 11 }), fleetDelivery({ seq: 12 })], dropped: 0 }));
    // TanStack Query tells its observers on the next tick.
    await screen.findByRole('button', { name: 'Resume (2 new)' });
    expect(status()).toContain('10 shown of 10');
    fireEvent.click(screen.getByRole('button', { name: 'Resume (2 new)' }));
    expect(status()).toContain('12 shown of 12');
    expect(screen.getByRole('button', { name: 'Pause' })).toBeTruthy();
  });

  it('counts arrivals while paused even once the capped list stops growing', async () => {
    // A full list: the cap keeps its length, but every arrival still counts.
    const { api } = renderLive({ live: deliveries(3), received: 1_000_000 });
    fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
    act(() => api.emit('deliveries', { deliveries: [fleetDelivery({ seq: 4 })], dropped: 0 }));
    await screen.findByRole('button', { name: 'Resume (1 new)' });
  });

  it('opens with the nodes\' recent log once the event channel is open, then follows the stream, each delivery once', async () => {
    const logged = [fleetDelivery({ seq: 7 }), fleetDelivery({ seq: 6, outcome: 'rejected', status: 401, reason: 'signature_invalid' })];
    const api = consoleApi({ 'deliveries.list': () => ({ deliveries: logged, nextCursor: null }) });
    renderLive({ api });
    await waitFor(() => expect(status()).toContain('2 shown of 2'));
    expect(historyCalls(api)).toEqual([{ fleetId: 'prod', limit: 500 }]);
    // The stream brings one the log had already given, and a new one: held once each.
    act(() => api.emit('deliveries', { deliveries: [fleetDelivery({ seq: 7 }), fleetDelivery({ seq: 8 })], dropped: 0 }));
    await waitFor(() => expect(status()).toContain('3 shown of 3'));
    expect(listed().map((row) => row.getAttribute('aria-label')?.split(' ').slice(0, 2).join(' '))).toEqual(['accepted 202', 'accepted 202', 'rejected 401']);
  });

  it('shows each node stream\'s real state at once, without waiting for a change', async () => {
    renderLive();
    const streams = await screen.findByLabelText('Node streams');
    expect(within(streams).getByText('1 of 2 node streams live')).toBeTruthy();
    expect(within(streams).getByText(/n2\.example:9090: retrying \(the connection to the node was lost\)/)).toBeTruthy();
  });

  it('asks the nodes for history only after the event channel proved open', async () => {
    // A main process whose events do not reach this window yet: the question is asked again, history waits.
    const api = consoleApi({ 'deliveries.streams': () => ({ nodes: STREAMS }) });
    renderLive({ api });
    await waitFor(() => expect(api.calls.filter((call) => call.command === 'deliveries.streams').length).toBeGreaterThan(1));
    expect(historyCalls(api)).toEqual([]);
    act(() => api.emit('streams', { nodes: STREAMS }));
    await waitFor(() => expect(historyCalls(api)).toHaveLength(1));
  });

  it('opened from a link, counts agree: the nodes\' matching history and what arrived live, never more shown than held', async () => {
    const api = consoleApi({ 'deliveries.list': () => ({ deliveries: [fleetDelivery({ seq: 1, status: 401, outcome: 'rejected', reason: 'timestamp_stale' })], nextCursor: null }) });
    renderLive({ api, live: [fleetDelivery({ seq: 5, status: 401, outcome: 'rejected', reason: 'signature_invalid' })], props: { initialFilter: { ...NO_FILTER, fleetId: 'prod', outcome: 'rejected' } } });
    await waitFor(() => expect(status()).toContain('2 shown of 2'));
    expect(historyCalls(api)).toEqual([{ fleetId: 'prod', limit: 500, outcome: ['rejected'] }]);
    expect(listed().map((row) => row.getAttribute('aria-label')?.split(' ').slice(0, 4).join(' '))).toEqual(['rejected 401 pay signature_invalid', 'rejected 401 pay timestamp_stale']);
  });

  it('searches the nodes by event id, request id, source address and node, and keeps the view in the address', async () => {
    const found = fleetDelivery({ seq: 3, deliveryId: 'evt_42', sourceIp: '203.0.113.7', nodeUrl: 'https://n2.example:9090', nodeId: 'eu-2' });
    const api = consoleApi({ 'deliveries.list': (input) => ({ deliveries: input.deliveryId === 'evt_42' ? [found] : [], nextCursor: null }) });
    renderLive({ api, live: deliveries(20) });
    await waitFor(() => expect(historyCalls(api)).toHaveLength(1));
    fireEvent.change(screen.getByLabelText('Node'), { target: { value: 'https://n2.example:9090' } });
    fireEvent.change(screen.getByLabelText('Event or delivery id'), { target: { value: ' evt_42 ' } });
    fireEvent.change(screen.getByLabelText('Source address'), { target: { value: '203.0.113.7' } });
    await waitFor(() => expect(historyCalls(api)).toContainEqual({ fleetId: 'prod', limit: 500, nodeUrl: 'https://n2.example:9090', deliveryId: 'evt_42', sourceIp: '203.0.113.7' }));
    await waitFor(() => expect(status()).toContain('1 shown of 21'));
    const row = listed()[0] as HTMLElement;
    expect(row.textContent).toContain('eu-2');
    // The time shows milliseconds; the date and the offset from UTC are on hover.
    expect(within(row).getByText(/^\d\d:\d\d:\d\d\.\d{3}$/).getAttribute('title')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC[+-]\d\d:\d\d$/);
    expect(window.location.hash).toBe('#live?node=https%3A%2F%2Fn2.example%3A9090&delivery=+evt_42+&source=203.0.113.7');
  });

  it('holds the recent log even when it answers after a search the operator typed meanwhile (slow nodes)', async () => {
    const recent = deliveries(9).map((delivery, index) => ({ ...delivery, deliveryId: `evt_${index}` }));
    const found = recent[4] as FleetDelivery;
    let answerRecent: (page: CommandResult<'deliveries.list'>) => void = () => undefined;
    const recentPage = new Promise<CommandResult<'deliveries.list'>>((resolve) => (answerRecent = resolve));
    const api = consoleApi({
      // The fake answers with what this returns: a promise keeps the recent log's answer back until the test releases it.
      'deliveries.list': (input) => (input.deliveryId ? { deliveries: [found], nextCursor: null } : (recentPage as unknown as CommandResult<'deliveries.list'>)),
    });
    renderLive({ api });
    await waitFor(() => expect(historyCalls(api)).toHaveLength(1));
    fireEvent.change(screen.getByLabelText('Event or delivery id'), { target: { value: 'evt_4' } });
    await waitFor(() => expect(status()).toContain('1 shown of 1'));
    act(() => answerRecent({ deliveries: recent, nextCursor: null }));
    await waitFor(() => expect(status()).toContain('1 shown of 9'));
  });

  it('opens a delivery\'s details with the keyboard and closes them with Escape', async () => {
    const api = consoleApi({
      'deliveries.get': () => ({
        ...fleetDelivery({ seq: 1, outcome: 'rejected', reason: 'signature_invalid', diagnosis: 'secret_whitespace' }),
        headers: { 'stripe-signature': '[redacted]' },
        bodySha256: null,
        detail: null,
        captured: false,
        trace: [{ step: 'signature', result: 'no signature matched' }],
      }),
    });
    renderLive({ api, live: [fleetDelivery({ seq: 1, outcome: 'rejected', reason: 'signature_invalid' })] });
    fireEvent.keyDown(screen.getAllByRole('listitem')[0] as HTMLElement, { key: 'Enter' });
    const drawer = await screen.findByRole('dialog');
    await within(drawer).findByText(/no signature matched/);
    expect(within(drawer).getByText(/stray whitespace/)).toBeTruthy();
    expect(within(drawer).getByText('[redacted]')).toBeTruthy();
    fireEvent.keyDown(drawer, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  describe('the delivery drawer\'s body', () => {
    const detail = () => ({
      ...fleetDelivery({ seq: 1, outcome: 'rejected', reason: 'signature_invalid', diagnosis: 'body_trailing_newline' }),
      headers: { 'stripe-signature': '[redacted]', 'content-type': 'application/json' },
      bodySha256: null,
      detail: null,
      captured: true,
      trace: [{ step: 'signature', result: 'no signature matched' }],
    });
    const open = async (api: FakeApi) => {
      renderLive({ api, live: [fleetDelivery({ seq: 1, outcome: 'rejected', reason: 'signature_invalid' })] });
      fireEvent.click(listed()[0] as HTMLElement);
      return screen.findByRole('dialog');
    };

    it('reads the payload only when the operator asks, then shows it pretty and as exact bytes, with cURL', async () => {
      const body = btoa('{"id":"evt_1"}\n');
      const api = consoleApi({
        'deliveries.get': detail,
        'deliveries.raw': () => ({ requestId: 'r1', integrationId: 'pay', method: 'POST', path: '/hooks/pay', query: '', headers: { host: 'h:1', 'stripe-signature': 't=1,v1=ff', 'content-type': 'application/json' }, bodyBase64: body }),
      });
      const drawer = await open(api);
      await within(drawer).findByText(/no signature matched/);
      expect(api.calls.some((call) => call.command === 'deliveries.raw')).toBe(false);
      fireEvent.click(within(drawer).getByRole('button', { name: 'Show the captured body' }));
      const exact = await within(drawer).findByRole('region', { name: 'Body, exact bytes' });
      expect(within(exact).getByLabelText('Byte summary').textContent).toContain('15 bytes · ends with a line feed (LF) · 1 line feed · valid UTF-8');
      expect(within(exact).getByTitle('line feed (LF, 0x0a)')).toBeTruthy();
      const curl = within(drawer).getByLabelText('cURL command').textContent ?? '';
      expect(curl).toContain("-H $'stripe-signature: [redacted]'");
      expect(curl).not.toContain('v1=ff');
      fireEvent.click(within(drawer).getByLabelText(/Include the signature headers/));
      expect(within(drawer).getByLabelText('cURL command').textContent).toContain('v1=ff');
    });

    it('says plainly when the token may not read payloads', async () => {
      const api = consoleApi({
        'deliveries.get': detail,
        'deliveries.raw': () => {
          throw new CommandFailure('payloads_not_permitted', 'https://n1.example:9090: the token may not read payloads');
        },
      });
      const drawer = await open(api);
      fireEvent.click(await within(drawer).findByRole('button', { name: 'Show the captured body' }));
      const refusal = await within(drawer).findByRole('alert');
      expect(refusal.textContent).toContain('token may not read captured payloads');
      expect(refusal.textContent).toContain('payloads');
    });

    it('replays with edited headers and body', async () => {
      const api = consoleApi({
        'deliveries.get': detail,
        'deliveries.raw': () => ({ requestId: 'r1', integrationId: 'pay', method: 'POST', path: '/hooks/pay', query: '', headers: { 'stripe-signature': 's', 'content-type': 'application/json' }, bodyBase64: btoa('{}') }),
        'deliveries.replay': () => ({ requestId: 'r9', status: 202, headers: {}, body: '{"status":"accepted"}' }),
      });
      const drawer = await open(api);
      fireEvent.click(await within(drawer).findByRole('button', { name: 'Show the captured body' }));
      const headers = await within(drawer).findByLabelText(/^Headers, one per line/);
      expect((headers as HTMLTextAreaElement).value).toBe('content-type: application/json');
      fireEvent.change(headers, { target: { value: 'content-type: application/json\nx-edited: yes' } });
      fireEvent.change(within(drawer).getByLabelText('Body'), { target: { value: '{"edited":true}' } });
      fireEvent.click(within(drawer).getByRole('button', { name: 'Replay edited' }));
      await within(drawer).findByText('{"status":"accepted"}');
      expect(api.calls).toContainEqual({
        command: 'deliveries.replay',
        input: { fleetId: 'prod', nodeUrl: 'https://n1.example:9090', requestId: 'r1', target: { kind: 'local' }, mode: 're-signed', headers: { 'x-edited': 'yes' }, body: '{"edited":true}' },
      });
    });
  });
});
