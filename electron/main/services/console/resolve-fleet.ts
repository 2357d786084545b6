import { LOCAL_FLEET_ID } from '../../../../shared/contract/console.js';
import type { FleetRegistry } from './fleet-registry.js';
import type { ConsoleFleet, LocalFleet } from './local-fleet.js';

/** A fleet by id: the local receiver for `local`, else a connected fleet. */
export function fleetResolver(registry: FleetRegistry, localFleet: LocalFleet): (fleetId: string) => Promise<ConsoleFleet> {
  return async (fleetId) => (fleetId === LOCAL_FLEET_ID ? localFleet : registry.connection(fleetId));
}
