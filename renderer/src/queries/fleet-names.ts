import { LOCAL_FLEET_ID } from '../../../shared/contract/console.js';
import { useCommandQuery } from './console-queries.js';

/** Fleet ids are for programs; operators know fleets by the names they gave them. */
export function useFleetName(): (fleetId: string) => string {
  const fleets = useCommandQuery('fleets.list', {});
  const names = new Map((fleets.data ?? []).map((fleet) => [fleet.id, fleet.name]));
  names.set(LOCAL_FLEET_ID, 'local receiver');
  return (fleetId) => names.get(fleetId) ?? fleetId;
}
