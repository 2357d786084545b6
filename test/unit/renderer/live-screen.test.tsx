// @vitest-environment jsdom
import { QueryClient } from '@tanstack/react-query';
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FleetDelivery } from '../../../shared/contract/console.js';
import { LIVE_KEY, useLiveFeed } from '../../../renderer/src/queries/live-deliveries.js';
import type { LiveState } from '../../../renderer/src/queries/live-list.js';
import { NO_FILTER } from '../../../renderer/src/screens/live/live-filter.js';
import { LiveScreen } from '../../../renderer/src/screens/live/LiveScreen.js';
import { fleetDelivery } from '../../helpers/delivery-summary.js';
import { fakeApi, type FakeApi } from './fake-api.js';
import { renderWithApi } from './render-with-api.js';

const FLEETS = [{ id: 'prod', name: 'production EU', tokenStorage: 'keychain' as const, nodes: [] }];

/** The app's feed and the screen together, as App mounts them. */
function LiveWithFeed(props: Parameters<typeof LiveScreen>[0]) {
  useLiveFeed();
  return <LiveScreen {...props} />;
}

function deliveries(count: number): FleetDelivery[] {
  return Array.from({ length: count }, (_, index) =>
    fleetDelivery({ seq: count - index, outcome: index % 10 === 0 ? 'rejected' : 'accepted', reason: index % 10 === 0 ? 'signature_invalid' : null }),
  );
}

function renderLive(options: { live?: readonly FleetDelivery[]; received?: number; api?: FakeApi; props?: Parameters<typeof LiveScreen>[0] } = {}) {
  const api = options.api ?? fakeApi({ 'fleets.list': () => FLEETS });
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const live = options.live ?? [];
  queryClient.setQueryData<LiveState>(LIVE_KEY, { deliveries: live, dropped: 0, received: options.received ?? live.length });
  renderWithApi(<LiveWithFeed {...options.props} />, api, queryClient);
  return { api, queryClient };
}

const status = () => screen.getByText(/ shown of /).textContent ?? '';

describe('the Live screen', () => {
  afterEach(cleanup);

  // jsdom lays nothing out: give the list's scroller the height of a window so that rows render.
  beforeAll(() => {
    Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
      configurable: true,
      get(this: HTMLElement) {
        return this.classList.contains('live-scroller') ? 640 : 0;
      },
    });
  });
  afterAll(() => {
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
    fireEvent.change(screen.getByLabelText('Search'), { target: { value: 'r50' } });
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

  it('opened from a link with a fleet, adds the nodes\' matching history to what arrived live', async () => {
    const api = fakeApi({
      'fleets.list': () => FLEETS,
      'deliveries.list': () => ({ deliveries: [fleetDelivery({ seq: 1, status: 401, outcome: 'rejected', reason: 'timestamp_stale' })], nextCursor: null }),
    });
    renderLive({ api, live: [fleetDelivery({ seq: 5, status: 401, outcome: 'rejected', reason: 'signature_invalid' })], props: { initialFilter: { ...NO_FILTER, fleetId: 'prod', outcome: 'rejected' } } });
    await screen.findByText(/with the last 1 from the nodes' history/);
    expect(api.calls).toContainEqual({ command: 'deliveries.list', input: { fleetId: 'prod', limit: 500, outcome: ['rejected'] } });
    const rows = within(screen.getByRole('list', { name: 'Deliveries, newest first' })).getAllByRole('listitem');
    expect(rows.map((row) => row.getAttribute('aria-label')?.split(' ').slice(0, 4).join(' '))).toEqual(['rejected 401 pay signature_invalid', 'rejected 401 pay timestamp_stale']);
  });

  it('opens a delivery\'s details with the keyboard and closes them with Escape', async () => {
    const api = fakeApi({
      'fleets.list': () => FLEETS,
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
});
