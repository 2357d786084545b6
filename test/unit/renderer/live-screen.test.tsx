// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConsoleApi } from '../../../shared/contract/console.js';
import { ApiProvider } from '../../../renderer/src/api/context.js';
import type { LiveState } from '../../../renderer/src/queries/live-list.js';
import { LiveScreen } from '../../../renderer/src/screens/live/LiveScreen.js';
import { fleetDelivery } from '../../helpers/delivery-summary.js';

const api: ConsoleApi = { invoke: () => Promise.resolve([]) as never, on: () => () => {} };

describe('the Live screen', () => {
  afterEach(cleanup);

  function renderWith(count: number) {
    const queryClient = new QueryClient();
    const deliveries = Array.from({ length: count }, (_, index) =>
      fleetDelivery({ seq: count - index, outcome: index % 10 === 0 ? 'rejected' : 'accepted', reason: index % 10 === 0 ? 'signature_invalid' : null }),
    );
    queryClient.setQueryData<LiveState>(['live-deliveries'], { deliveries, dropped: 0 });
    render(
      <ApiProvider api={api}>
        <QueryClientProvider client={queryClient}>
          <LiveScreen />
        </QueryClientProvider>
      </ApiProvider>,
    );
  }

  it('keeps a hundred thousand deliveries out of the DOM but a screenful', () => {
    renderWith(100_000);
    expect(screen.getByText('100000 shown of 100000')).toBeTruthy();
    expect(screen.queryAllByRole('listitem').length).toBeLessThan(100);
  });

  it('filters, and pauses with a count of what arrives meanwhile', () => {
    renderWith(50);
    fireEvent.change(screen.getByLabelText('Outcome'), { target: { value: 'rejected' } });
    expect(screen.getByText('5 shown of 50')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
    expect(screen.getByRole('button', { name: 'Resume (0 new)' })).toBeTruthy();
  });
});
