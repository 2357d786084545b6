import { useState } from 'react';
import { ErrorText } from '../../components/ErrorText.js';
import { useFleets, useIntegrations } from '../../queries/commands.js';
import { useFleetName } from '../../queries/fleet-names.js';
import { useNow } from '../../queries/use-now.js';
import { InventoryFilters } from './InventoryFilters.js';
import { inventoryRows, NO_INVENTORY_FILTER, type InventoryFilter, type Sort } from './inventory-rows.js';
import { InventoryRow } from './InventoryRow.js';
import { SortableHeader } from './SortableHeader.js';
import { useInventoryTraffic } from './use-inventory-traffic.js';

/** Every integration of every fleet and of the local receiver, in one table. */
export function InventoryScreen() {
  const integrations = useIntegrations();
  const fleets = useFleets();
  // Fleets whose integrations cannot be listed at all: said here, so that their absence is not read as "none".
  const missing = (fleets.data ?? []).filter((fleet) => fleet.problem !== undefined || fleet.health?.state === 'down');
  const fleetName = useFleetName();
  const now = useNow(30_000);
  const [filter, setFilter] = useState<InventoryFilter>(NO_INVENTORY_FILTER);
  const [sort, setSort] = useState<Sort>({ key: 'fleet', descending: false });
  const entries = integrations.data ?? [];
  const fleetIds = [...new Set(entries.map((entry) => entry.fleetId))];
  const trafficOf = useInventoryTraffic(fleetIds);
  const rows = inventoryRows(entries, filter, sort, { now, fleetName });
  const header = { sort, onSort: setSort };

  return (
    <section aria-labelledby="inventory-title">
      <header className="screen-header">
        <h1 id="inventory-title">Inventory</h1>
        <InventoryFilters filter={filter} onChange={setFilter} fleets={fleetIds} fleetName={fleetName} />
      </header>
      <ErrorText error={integrations.error} />
      {missing.length > 0 && (
        <ul className="notes" aria-label="Fleets not in this list">
          {missing.map((fleet) => (
            <li key={fleet.id}>
              {fleet.name} is not in this list: {fleet.problem ?? fleet.health?.summary}. <a href="#fleets">See Fleets</a>.
            </li>
          ))}
        </ul>
      )}
      <p className="muted" aria-live="polite">
        {rows.length} of {entries.length} integrations
      </p>
      <div className="table-scroll">
        <table className="inventory" aria-label="Integrations">
          <thead>
            <tr>
              <SortableHeader label="Fleet" sortKey="fleet" {...header} />
              <SortableHeader label="Integration" sortKey="id" {...header} />
              <SortableHeader label="Status" sortKey="status" {...header} />
              <SortableHeader label="Secret age" sortKey="secretAge" {...header} />
              <SortableHeader label="24 h deliveries" sortKey="deliveries" {...header} />
              <SortableHeader label="Failure rate" sortKey="failureRate" {...header} />
              <SortableHeader label="Last delivery" sortKey="lastDelivery" {...header} />
              <th>Drift and warnings</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((entry) => (
              <InventoryRow key={`${entry.fleetId}/${entry.id}`} entry={entry} fleetName={fleetName(entry.fleetId)} traffic={trafficOf(entry.fleetId, entry.id)} now={now} />
            ))}
          </tbody>
        </table>
      </div>
      {rows.length === 0 && !integrations.isPending && (
        <p className="muted">{entries.length === 0 ? 'No integration yet: connect a fleet or start the local receiver.' : 'No integration matches these filters.'}</p>
      )}
    </section>
  );
}
