// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandInput, CommandName, ConsoleApi } from '../../../shared/contract/console.js';
import { ApiProvider } from '../../../renderer/src/api/context.js';
import { RotateSecret } from '../../../renderer/src/screens/integration/RotateSecret.js';

const SECRET = 'whsec_shown-once-in-this-test';

/** The renderer's boundary is the ConsoleApi: a fake one answers the rotation, and records what was asked. */
function fakeApi(calls: { command: CommandName; input: unknown }[]): ConsoleApi {
  return {
    invoke: <C extends CommandName>(command: C, input: CommandInput<C>) => {
      calls.push({ command, input });
      return Promise.resolve({ secretId: 's2', secret: SECRET, expiresOld: new Date(Date.now() + 86_400_000).toISOString(), nodes: [{ url: 'https://n1', ok: true }] }) as never;
    },
    on: () => () => {},
  };
}

describe('rotating a secret', () => {
  afterEach(cleanup);

  it('shows the new secret once, keeps it out of the query cache, and forgets it when closed', async () => {
    const calls: { command: CommandName; input: unknown }[] = [];
    const queryClient = new QueryClient();
    render(
      <ApiProvider api={fakeApi(calls)}>
        <QueryClientProvider client={queryClient}>
          <RotateSecret fleetId="f-1" integrationId="pay" />
        </QueryClientProvider>
      </ApiProvider>,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Rotate secret' }));
    fireEvent.change(screen.getByLabelText('Overlap'), { target: { value: '3600' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Rotate now' })));

    expect(calls).toEqual([{ command: 'integrations.rotateSecret', input: { fleetId: 'f-1', integrationId: 'pay', overlapSeconds: 3600, keepCopy: false } }]);
    expect(screen.getByTestId('revealed-secret').textContent).toBe(SECRET);
    expect(screen.getByText('You will not see this secret again.')).toBeTruthy();
    expect(JSON.stringify(queryClient.getQueryCache().getAll().map((query) => query.state.data))).not.toContain(SECRET);
    expect(JSON.stringify(queryClient.getMutationCache().getAll().map((mutation) => mutation.state.data))).not.toContain(SECRET);

    fireEvent.click(screen.getByRole('button', { name: /I have stored it/ }));
    expect(document.body.textContent).not.toContain(SECRET);
    expect(screen.getByRole('button', { name: 'Rotate secret' })).toBeTruthy();
  });
});
