// @vitest-environment jsdom
import { cleanup, configure, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../../renderer/src/App.js';
import { ThemeProvider } from '../../../renderer/src/app/theme.js';
import { populatedConsole } from './console-fixtures.js';
import { renderWithApi } from './render-with-api.js';

const LAZY_SCREENS = [
  () => import('../../../renderer/src/screens/inventory/InventoryScreen.js'),
  () => import('../../../renderer/src/screens/live/LiveScreen.js'),
  () => import('../../../renderer/src/screens/failures/FailuresScreen.js'),
  () => import('../../../renderer/src/screens/integration/IntegrationScreen.js'),
  () => import('../../../renderer/src/screens/local-receiver/LocalReceiverScreen.js'),
  () => import('../../../renderer/src/screens/replay/ReplayScreen.js'),
  () => import('../../../renderer/src/screens/audit/AuditScreen.js'),
];

/** Every screen, rendered with data, the way an operator reaches it: through the address. */
describe('the console\'s screens', () => {
  beforeAll(async () => {
    // The screens are lazily imported by App: on a busy machine transforming one (Inventory pulls in
    // the chart library) took longer than findBy's default second. Load them all before the first
    // test, so each test waits on its screen's data only, and give those waits room for a busy CI.
    await Promise.all(LAZY_SCREENS.map((load) => load()));
    configure({ asyncUtilTimeout: 15_000 });
    // Recharts measures its container; jsdom has no layout engine, so it gets a size here.
    globalThis.ResizeObserver ??= class {
      observe() {}
      unobserve() {}
      disconnect() {}
    };
  });
  afterAll(() => configure({ asyncUtilTimeout: 1_000 }));
  afterEach(() => {
    cleanup();
    window.location.hash = '';
  });

  const open = (hash: string) => {
    window.location.hash = hash;
    return renderWithApi(
      <ThemeProvider>
        <App />
      </ThemeProvider>,
      populatedConsole(),
    );
  };

  it('Fleets: the health of each node, in colour and in words', async () => {
    open('#fleets');
    const card = await screen.findByRole('article', { name: 'Fleet production EU' });
    await within(card).findByText('1 of 2 nodes up');
    expect(within(card).getByText('unreachable')).toBeTruthy();
    expect(within(card).getByText('connection refused')).toBeTruthy();
  });

  it('Inventory: one row per integration with secret age, failure rate, drift and warnings, sortable by any column', async () => {
    open('#inventory');
    const table = await screen.findByRole('table', { name: 'Integrations' });
    await within(table).findByText('stripe-payments');
    expect(within(table).getByText('120 d — rotate')).toBeTruthy();
    expect(within(table).getByText('25.0 %')).toBeTruthy();
    expect(within(table).getByText('nodes differ')).toBeTruthy();
    expect(within(table).getByText('The dedupe window is short.')).toBeTruthy();
    const byFailures = within(table).getByRole('button', { name: /Failure rate/ });
    fireEvent.click(byFailures);
    expect(byFailures.closest('th')?.getAttribute('aria-sort')).toBe('ascending');
    fireEvent.click(byFailures);
    expect(byFailures.closest('th')?.getAttribute('aria-sort')).toBe('descending');
  });

  it('Failures: the diagnosis in the operator\'s words, the node that did not answer, the skew and the refused addresses', async () => {
    open('#failures');
    await screen.findByText(/The configured secret has stray whitespace — check the env var or file for a trailing newline/);
    expect(screen.getByText(/https:\/\/eu-2:9090 did not answer/)).toBeTruthy();
    expect(screen.getByText('high: check NTP on the node and the sender')).toBeTruthy();
    expect(screen.getByText('203.0.113.7')).toBeTruthy();
    const reasons = screen.getByRole('table', { name: 'Failures by reason' });
    expect(within(reasons).getByRole('link', { name: 'Show in Live' }).getAttribute('href')).toBe('#live?fleet=prod&outcome=rejected&reason=signature_invalid');
  });

  it('Integration: configuration, secrets, kill switch and recent deliveries', async () => {
    open('#integration/prod/stripe-payments');
    await screen.findByRole('heading', { name: /stripe-payments/, level: 1 });
    expect(screen.getByText(/usually Stripe, which retries with backoff for up to 3 days/)).toBeTruthy();
    // Stripe issues its own secret: rotation takes the one it gave, and says so on the button.
    expect(screen.getByRole('button', { name: /Rotate: paste Stripe’s new secret/ })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Engage kill switch…' })).toBeTruthy();
    await screen.findByRole('table', { name: 'Recent deliveries' });
  });

  it('Audit: one fleet timeline, newest first, with token and person; a broken chain is called out per node, at its entry', async () => {
    open('#audit');
    await screen.findByText('chain broken at entry 2');
    expect(screen.getByText('chain verified')).toBeTruthy();
    expect(screen.getByText('broken here').closest('tr')?.className).toBe('broken');
    const rows = within(screen.getByRole('table', { name: 'Audit timeline, newest first' })).getAllByRole('row').slice(1);
    expect(rows.map((row) => row.textContent)).toEqual([
      expect.stringMatching(/eu-1:9090 #2.*console.*ana@ops-laptop.*kill\.release/),
      expect.stringMatching(/eu-2:9090 #7.*deploy-bot.*—.*secret\.add/),
      expect.stringMatching(/eu-1:9090 #1.*console.*ana@ops-laptop.*kill\.engage/),
    ]);
  });

  it('Local receiver and Replay render with their data', async () => {
    open('#local');
    await screen.findByText('http://127.0.0.1:4100/hooks/local-test');
    cleanup();
    open('#replay');
    await screen.findByRole('table', { name: 'Captured deliveries' });
    await waitFor(() => expect(screen.getByRole('button', { name: 'Replay 0 deliveries' })).toBeTruthy());
  });
});
