// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { IntegrationEntry } from '../../../shared/contract/console.js';
import { KillSwitch } from '../../../renderer/src/screens/integration/KillSwitch.js';
import { fakeApi } from './fake-api.js';
import { renderWithApi } from './render-with-api.js';

const github: IntegrationEntry = {
  id: 'gh',
  fleetId: 'eu',
  scheme: 'github',
  path: '/hooks/gh',
  status: 'active',
  kill: null,
  secrets: [],
  limits: { toleranceSeconds: 300, dedupeWindowSeconds: 86_400, maxBodyBytes: 1_048_576, rateLimit: null },
  heldCount: 0,
  counts24h: { total: 0, accepted: 0, rejected: 0, duplicate: 0 },
  lastDeliveryAt: null,
  drift: [],
  nodes: [],
  warnings: [],
};

describe('the kill switch', () => {
  afterEach(cleanup);

  it('explains each mode for this sender, needs a reason and a confirmation, and lists each node\'s acknowledgement', async () => {
    const api = fakeApi({
      'integrations.kill': () => ({
        nodes: [
          { url: 'https://n1', ok: true },
          { url: 'https://n2', ok: true },
        ],
      }),
      'integrations.list': () => [],
    });
    renderWithApi(<KillSwitch integration={github} />, api);
    // GitHub never retries: rejecting loses its events, and the screen says so before anything is sent.
    expect(screen.getByLabelText(/Reject \(503/).closest('label')?.textContent).toMatch(/GitHub never retries.*they are lost/);
    const engage = screen.getByRole('button', { name: 'Engage kill switch…' }) as HTMLButtonElement;
    expect(engage.disabled).toBe(true);
    fireEvent.click(screen.getByLabelText(/Reject \(503/));
    fireEvent.change(screen.getByLabelText(/Reason \(required/), { target: { value: 'incident 42' } });
    fireEvent.click(engage);
    expect(api.calls.filter((call) => call.command === 'integrations.kill')).toEqual([]);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Engage' })));
    expect(api.calls).toContainEqual({ command: 'integrations.kill', input: { fleetId: 'eu', integrationId: 'gh', mode: 'reject', reason: 'incident 42' } });
    await screen.findByText('applied on all 2 nodes');
    expect(screen.getAllByRole('listitem').map((item) => item.textContent)).toEqual(['https://n1: applied', 'https://n2: applied']);
  });
});
