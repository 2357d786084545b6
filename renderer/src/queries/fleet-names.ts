import { useMemo } from 'react';
import { LOCAL_FLEET_ID } from '../../../shared/contract/console.js';
import { useFleets } from './commands.js';

export const LOCAL_FLEET_NAME = 'local receiver';

/** Fleet ids are for programs; operators know fleets by the names they gave them. */
export function useFleetName(): (fleetId: string) => string {
  const fleets = useFleets();
  // One function while the fleets stay the same: rows and lists memoised on it stay put.
  return useMemo(() => {
    const names = new Map((fleets.data ?? []).map((fleet) => [fleet.id, fleet.name]));
    names.set(LOCAL_FLEET_ID, LOCAL_FLEET_NAME);
    return (fleetId: string) => names.get(fleetId) ?? fleetId;
  }, [fleets.data]);
}
