import { LOCAL_FLEET_ID } from '../../../../shared/contract/console.js';
import type { InventoryFilter } from './inventory-rows.js';

/** Search, fleet, status and "needs attention": the inventory's filters. */
export function InventoryFilters({
  filter,
  onChange,
  fleets,
  fleetName,
}: {
  filter: InventoryFilter;
  onChange: (filter: InventoryFilter) => void;
  fleets: readonly string[];
  fleetName: (fleetId: string) => string;
}) {
  return (
    <div className="filters" role="search" aria-label="Filter the inventory">
      <label>
        Search
        <input type="search" value={filter.text} onChange={(event) => onChange({ ...filter, text: event.target.value })} placeholder="id, path, scheme, fleet" />
      </label>
      <label>
        Fleet
        <select value={filter.fleetId} onChange={(event) => onChange({ ...filter, fleetId: event.target.value })}>
          <option value="all">all</option>
          {fleets.map((fleetId) => (
            <option key={fleetId} value={fleetId}>
              {fleetName(fleetId)}
            </option>
          ))}
          {!fleets.includes(LOCAL_FLEET_ID) && <option value={LOCAL_FLEET_ID}>{fleetName(LOCAL_FLEET_ID)}</option>}
        </select>
      </label>
      <label>
        Status
        <select value={filter.status} onChange={(event) => onChange({ ...filter, status: event.target.value as InventoryFilter['status'] })}>
          <option value="all">all</option>
          <option value="active">active</option>
          <option value="killed">killed</option>
          <option value="held">held</option>
        </select>
      </label>
      <label className="inline checkbox-filter">
        <input type="checkbox" checked={filter.attentionOnly} onChange={(event) => onChange({ ...filter, attentionOnly: event.target.checked })} />
        Needs attention only
      </label>
    </div>
  );
}
