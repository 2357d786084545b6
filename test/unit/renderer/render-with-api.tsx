import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import type { ConsoleApi } from '../../../shared/contract/console.js';
import { ApiProvider } from '../../../renderer/src/api/context.js';

/** Renders a piece of the console against a fake ConsoleApi and a fresh query cache, both returned for inspection. */
export function renderWithApi(ui: ReactNode, api: ConsoleApi, queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } })) {
  const view = render(
    <ApiProvider api={api}>
      <QueryClientProvider client={queryClient}>{ui}</QueryClientProvider>
    </ApiProvider>,
  );
  return { ...view, queryClient };
}
