import { useState } from 'react';
import { ErrorText } from '../../components/ErrorText.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { useCommandQuery } from '../../queries/console-queries.js';
import { useFleetName } from '../../queries/fleet-names.js';
import { failureRate, inventoryRows, OLD_SECRET_DAYS, oldestSecretDays, type InventoryFilter, type SortKey } from './inventory-rows.js';

/** Every integration of every fleet and of the local receiver, in one table. */
export function InventoryScreen() {
  const integrations = useCommandQuery('integrations.list', {}, { refetchInterval: 15_000 });
  const [filter, setFilter] = useState<InventoryFilter>({ text: '', status: 'all' });
  const [sort, setSort] = useState<SortKey>('fleet');
  const fleetName = useFleetName();
  const now = Date.now();
  const rows = inventoryRows(integrations.data ?? [], filter, sort);

  return (
    <section aria-labelledby="inventory-title">
      <header className="screen-header">
        <h1 id="inventory-title">Inventory</h1>
        <div className="filters">
          <label>
            Search
            <input type="search" value={filter.text} onChange={(event) => setFilter({ ...filter, text: event.target.value })} placeholder="id, path, scheme, fleet" />
          </label>
          <label>
            Status
            <select value={filter.status} onChange={(event) => setFilter({ ...filter, status: event.target.value as InventoryFilter['status'] })}>
              <option value="all">all</option>
              <option value="active">active</option>
              <option value="killed">killed</option>
              <option value="held">held</option>
            </select>
          </label>
          <label>
            Sort by
            <select value={sort} onChange={(event) => setSort(event.target.value as SortKey)}>
              <option value="fleet">fleet</option>
              <option value="id">integration</option>
              <option value="scheme">scheme</option>
              <option value="status">status</option>
              <option value="failureRate">failure rate</option>
            </select>
          </label>
        </div>
      </header>
      <ErrorText error={integrations.error} />
      <table className="inventory">
        <thead>
          <tr>
            <th>Fleet</th>
            <th>Integration</th>
            <th>Status</th>
            <th>Scheme</th>
            <th>Path</th>
            <th>Oldest secret</th>
            <th>24 h</th>
            <th>Failure rate</th>
            <th>Last delivery</th>
            <th>Notes</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((entry) => {
            const age = oldestSecretDays(entry, now);
            const notes = [...entry.warnings, ...entry.drift.map((drift) => `${drift.field}: runtime state differs from the config file`)];
            return (
              <tr key={`${entry.fleetId}/${entry.id}`}>
                <td>{fleetName(entry.fleetId)}</td>
                <td>
                  <a href={`#integration/${encodeURIComponent(entry.fleetId)}/${encodeURIComponent(entry.id)}`}>{entry.id}</a>
                </td>
                <td>
                  <StatusBadge status={entry.status} />
                </td>
                <td>{entry.scheme}</td>
                <td>
                  <code>{entry.path}</code>
                </td>
                <td className={age > OLD_SECRET_DAYS ? 'warn-text' : ''}>{age} d{age > OLD_SECRET_DAYS ? ' — rotate' : ''}</td>
                <td>{entry.counts24h.total}</td>
                <td>{(failureRate(entry) * 100).toFixed(1)} %</td>
                <td>{entry.lastDeliveryAt ? new Date(entry.lastDeliveryAt).toLocaleString() : '—'}</td>
                <td>{notes.length > 0 ? <ul className="notes">{notes.map((note) => <li key={note}>{note}</li>)}</ul> : ''}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {rows.length === 0 && !integrations.isPending && <p className="muted">No integration matches. Connect a fleet or start the local receiver.</p>}
    </section>
  );
}
