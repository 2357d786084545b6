// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfirmCutover } from '../../../renderer/src/screens/integration/ConfirmCutover.js';
import { RotateSecret } from '../../../renderer/src/screens/integration/RotateSecret.js';
import { rotationState } from '../../../renderer/src/screens/integration/rotation-state.js';
import { integrationEntry } from './console-fixtures.js';
import { fakeApi } from './fake-api.js';
import { renderWithApi } from './render-with-api.js';

const SECRET = 'whsec_shown-once-in-this-test';

const rotationApi = () =>
  fakeApi({
    'integrations.rotateSecret': () => ({
      secretId: 's2',
      secret: SECRET,
      pending: true,
      nodes: [
        { url: 'https://n1', ok: true },
        { url: 'https://n2', ok: false, error: 'timed out' },
      ],
    }),
  });

async function rotate() {
  fireEvent.click(screen.getByRole('button', { name: 'Rotate secret' }));
  await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Generate and add' })));
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

  it('asks first, and adds the new secret pending', async () => {
    const api = rotationApi();
    renderWithApi(<RotateSecret fleetId="f-1" integrationId="pay" scheme="standard-webhooks" />, api);
    fireEvent.click(screen.getByRole('button', { name: 'Rotate secret' }));
    expect(api.calls).toEqual([]);
    expect(screen.getByRole('group', { name: 'Confirm rotation' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(api.calls).toEqual([]);
    await rotate();
    expect(api.calls).toEqual([{ command: 'integrations.rotateSecret', input: { fleetId: 'f-1', integrationId: 'pay', keepCopy: false } }]);
  });

  it('shows the new secret once with a copy button, and the acknowledgement of every node', async () => {
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    renderWithApi(<RotateSecret fleetId="f-1" integrationId="pay" scheme="standard-webhooks" />, rotationApi());
    await rotate();
    expect(screen.getByTestId('revealed-secret').textContent).toBe(SECRET);
    expect(screen.getByText('You will not see this secret again.')).toBeTruthy();
    expect(screen.getByText(/keeps verifying, with no expiry, until you confirm/)).toBeTruthy();
    expect(screen.getByText(/failed on 1 of 2 nodes/)).toBeTruthy();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Copy the secret' })));
    expect(writeText).toHaveBeenCalledWith(SECRET);
    expect(screen.getByText('Copied')).toBeTruthy();
  });

  it('keeps the secret out of the query cache, the mutation cache and storage, and forgets it when closed', async () => {
    const { queryClient } = renderWithApi(<RotateSecret fleetId="f-1" integrationId="pay" scheme="standard-webhooks" />, rotationApi());
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
    const { unmount, queryClient } = renderWithApi(<RotateSecret fleetId="f-1" integrationId="pay" scheme="standard-webhooks" />, rotationApi());
    await rotate();
    unmount();
    expect(document.body.textContent).not.toContain(SECRET);
    expect(everythingStored(queryClient)).not.toContain(SECRET);
  });
});

describe('a shown-once secret and navigation', () => {
  beforeEach(() => window.history.replaceState(null, '', '#integration/f-1/pay'));
  afterEach(cleanup);

  const withNavigation = (scheme: 'standard-webhooks' | 'stripe' = 'standard-webhooks') => (
    <>
      <a href="#inventory">Inventory</a>
      <RotateSecret fleetId="f-1" integrationId="pay" scheme={scheme} />
    </>
  );

  it('blocks a navigation link until the secret is copied, and says why', async () => {
    Object.defineProperty(navigator, 'clipboard', { value: { writeText: vi.fn(() => Promise.resolve()) }, configurable: true });
    renderWithApi(withNavigation(), rotationApi());
    await rotate();
    fireEvent.click(screen.getByRole('link', { name: 'Inventory' }));
    expect(window.location.hash).toBe('#integration/f-1/pay');
    expect(screen.getByRole('alert').textContent).toMatch(/Copy the secret or close this first/);
    expect(screen.getByTestId('revealed-secret').textContent).toBe(SECRET);

    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Copy the secret' })));
    fireEvent.click(screen.getByRole('link', { name: 'Inventory' }));
    await waitFor(() => expect(window.location.hash).toBe('#inventory'));
  });

  it('lets the operator go once the secret is dismissed', async () => {
    renderWithApi(withNavigation(), rotationApi());
    await rotate();
    fireEvent.click(screen.getByRole('button', { name: /I have stored it/ }));
    fireEvent.click(screen.getByRole('link', { name: 'Inventory' }));
    await waitFor(() => expect(window.location.hash).toBe('#inventory'));
  });
});

describe('rotating a provider-issued secret', () => {
  afterEach(cleanup);

  it('says where to roll it at Stripe and how long Stripe keeps the old one, takes the pasted secret and never shows it back', async () => {
    const pasted = 'whsec_pasted-from-the-stripe-dashboard';
    const api = fakeApi({ 'integrations.rotateSecret': () => ({ secretId: 's2', pending: true, nodes: [{ url: 'https://n1', ok: true }] }) });
    renderWithApi(<RotateSecret fleetId="f-1" integrationId="pay" scheme="stripe" />, api);
    fireEvent.click(screen.getByRole('button', { name: /Rotate: paste Stripe’s new secret/ }));
    expect(screen.getByText(/Roll secret/)).toBeTruthy();
    expect(screen.getByText(/at most 24 h/)).toBeTruthy();
    const add = screen.getByRole('button', { name: 'Add it to every node' }) as HTMLButtonElement;
    expect(add.disabled).toBe(true);
    fireEvent.change(screen.getByLabelText('New signing secret from Stripe'), { target: { value: pasted } });
    await act(async () => fireEvent.click(add));
    expect(api.calls).toEqual([{ command: 'integrations.rotateSecret', input: { fleetId: 'f-1', integrationId: 'pay', keepCopy: false, secret: pasted } }]);
    expect(document.body.textContent).not.toContain(pasted);
    expect(screen.getByRole('status', { name: 'New secret added' }).textContent).toMatch(/old one keeps verifying until you confirm/);
  });

  it('offers no secret rotation for a JWS integration', () => {
    renderWithApi(<RotateSecret fleetId="f-1" integrationId="pay" scheme="jws" />, fakeApi());
    expect(screen.queryByRole('button')).toBeNull();
  });
});

describe('confirming the cutover', () => {
  afterEach(cleanup);
  const pendingEntry = integrationEntry({
    secrets: [
      { id: 's1', createdAt: new Date(Date.now() - 181 * 86_400_000).toISOString(), fingerprint: 'abcd1234', state: 'active', source: 'file' },
      { id: 's2', createdAt: new Date().toISOString(), fingerprint: 'ef012345', state: 'active', source: 'runtime', pending: true },
    ],
  });

  it('starts the old secret\'s overlap only when the operator confirms, with the provider\'s overlap suggested', async () => {
    const api = fakeApi({
      'integrations.confirmSecret': () => ({ expiresOld: new Date(Date.now() + 86_400_000).toISOString(), nodes: [{ url: 'https://n1', ok: true }] }),
      'integrations.list': () => [pendingEntry],
    });
    renderWithApi(<ConfirmCutover integration={pendingEntry} />, api);
    expect(screen.getByText(/Rotation waiting for the sender/)).toBeTruthy();
    expect((screen.getByLabelText('24 hours') as HTMLInputElement).checked).toBe(true);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'The sender uses s2 — start the overlap' })));
    expect(api.calls[0]).toEqual({ command: 'integrations.confirmSecret', input: { fleetId: 'prod', integrationId: 'stripe-payments', secretId: 's2', overlapSeconds: 86_400 } });
  });

  it('reads a pending rotation and an overlap as "rotating", never as an old secret to rotate', () => {
    expect(rotationState(pendingEntry).kind).toBe('pending');
    const overlap = integrationEntry({
      secrets: [
        { ...pendingEntry.secrets[0]!, state: 'expiring', expiresAt: new Date(Date.now() + 3_600_000).toISOString() },
        { ...pendingEntry.secrets[1]!, pending: false },
      ],
    });
    expect(rotationState(overlap).kind).toBe('overlap');
    // Two secrets from the config file, neither pending nor expiring, are no rotation at all.
    expect(rotationState(integrationEntry({ secrets: [pendingEntry.secrets[0]!, { ...pendingEntry.secrets[1]!, pending: undefined }] })).kind).toBe('none');
    expect(rotationState(integrationEntry()).kind).toBe('none');
  });
});
