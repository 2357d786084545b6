// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RotateSecret } from '../../../renderer/src/screens/integration/RotateSecret.js';
import { fakeApi } from './fake-api.js';
import { renderWithApi } from './render-with-api.js';

const SECRET = 'whsec_shown-once-in-this-test';

const rotationApi = () =>
  fakeApi({
    'integrations.rotateSecret': () => ({
      secretId: 's2',
      secret: SECRET,
      expiresOld: new Date(Date.now() + 3_600_000).toISOString(),
      nodes: [
        { url: 'https://n1', ok: true },
        { url: 'https://n2', ok: false, error: 'timed out' },
      ],
    }),
  });

async function rotate() {
  fireEvent.click(screen.getByRole('button', { name: 'Rotate secret' }));
  fireEvent.click(screen.getByLabelText('1 hour'));
  await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Rotate now' })));
}

/** Everything TanStack keeps, and both web storages: the secret must be in none of them. */
function everythingStored(queryClient: ReturnType<typeof renderWithApi>['queryClient']): string {
  return JSON.stringify([
    queryClient.getQueryCache().getAll().map((query) => [query.queryKey, query.state.data]),
    queryClient.getMutationCache().getAll().map((mutation) => [mutation.state.variables, mutation.state.data]),
    { ...sessionStorage },
    { ...localStorage },
  ]);
}

describe('rotating a secret', () => {
  afterEach(cleanup);

  it('asks first, with the overlap to choose, and sends exactly that', async () => {
    const api = rotationApi();
    renderWithApi(<RotateSecret fleetId="f-1" integrationId="pay" />, api);
    fireEvent.click(screen.getByRole('button', { name: 'Rotate secret' }));
    expect(api.calls).toEqual([]);
    expect(screen.getByRole('group', { name: 'Confirm rotation' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(api.calls).toEqual([]);
    await rotate();
    expect(api.calls).toEqual([{ command: 'integrations.rotateSecret', input: { fleetId: 'f-1', integrationId: 'pay', overlapSeconds: 3600, keepCopy: false } }]);
  });

  it('shows the new secret once with a copy button, and the countdown and acknowledgement of every node', async () => {
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    renderWithApi(<RotateSecret fleetId="f-1" integrationId="pay" />, rotationApi());
    await rotate();
    expect(screen.getByTestId('revealed-secret').textContent).toBe(SECRET);
    expect(screen.getByText('You will not see this secret again.')).toBeTruthy();
    // An hour of overlap, counted down: "1 h 0 min" in the first millisecond, "59 min 59 s" after.
    expect(screen.getByText(/(1 h 0 min|59 min \d\d s) left/)).toBeTruthy();
    expect(screen.getByText(/failed on 1 of 2 nodes/)).toBeTruthy();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Copy the secret' })));
    expect(writeText).toHaveBeenCalledWith(SECRET);
    expect(screen.getByText('Copied')).toBeTruthy();
  });

  it('keeps the secret out of the query cache, the mutation cache and storage, and forgets it when closed', async () => {
    const { queryClient } = renderWithApi(<RotateSecret fleetId="f-1" integrationId="pay" />, rotationApi());
    await rotate();
    expect(document.body.textContent).toContain(SECRET);
    expect(everythingStored(queryClient)).not.toContain(SECRET);

    fireEvent.click(screen.getByRole('button', { name: /I have stored it/ }));
    expect(document.body.textContent).not.toContain(SECRET);
    expect(screen.queryByTestId('revealed-secret')).toBeNull();
    expect(screen.getByRole('button', { name: 'Rotate secret' })).toBeTruthy();
    expect(everythingStored(queryClient)).not.toContain(SECRET);
  });

  it('is gone when the operator leaves the screen without closing it', async () => {
    const { unmount, queryClient } = renderWithApi(<RotateSecret fleetId="f-1" integrationId="pay" />, rotationApi());
    await rotate();
    unmount();
    expect(document.body.textContent).not.toContain(SECRET);
    expect(everythingStored(queryClient)).not.toContain(SECRET);
  });
});
