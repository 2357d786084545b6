import { createContext, useContext, type ReactNode } from 'react';
import type { ConsoleApi } from '../../../shared/contract/console.js';

const ApiContext = createContext<ConsoleApi | undefined>(undefined);

export function ApiProvider({ api, children }: { api: ConsoleApi; children: ReactNode }) {
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}

/** The console's contract, whichever transport carries it. */
export function useApi(): ConsoleApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside ApiProvider');
  return api;
}
