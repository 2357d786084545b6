import { useState } from 'react';
import { LOCAL_FLEET_ID } from '../../../shared/contract/console.js';
import { useFleets } from '../queries/commands.js';
import { LOCAL_FLEET_NAME } from '../queries/fleet-names.js';

export interface FleetChoice {
  /** The chosen fleet: the operator's pick, else the first connected fleet, else the local receiver. */
  readonly fleetId: string;
  readonly choose: (fleetId: string) => void;
  /** False until the fleet list has loaded, so screens do not query the local receiver by mistake first. */
  readonly ready: boolean;
  readonly fleets: readonly { id: string; name: string }[];
}

export function useFleetChoice(initial?: string): FleetChoice {
  const fleets = useFleets();
  const [chosen, choose] = useState<string | undefined>(initial);
  return { fleetId: chosen ?? fleets.data?.[0]?.id ?? LOCAL_FLEET_ID, choose, ready: !fleets.isPending, fleets: fleets.data ?? [] };
}

/** The fleet a screen shows: every connected fleet and the local receiver. */
export function FleetPicker({ choice }: { choice: FleetChoice }) {
  return (
    <label>
      Fleet
      <select value={choice.fleetId} onChange={(event) => choice.choose(event.target.value)}>
        {choice.fleets.map((fleet) => (
          <option key={fleet.id} value={fleet.id}>
            {fleet.name}
          </option>
        ))}
        <option value={LOCAL_FLEET_ID}>{LOCAL_FLEET_NAME}</option>
      </select>
    </label>
  );
}
