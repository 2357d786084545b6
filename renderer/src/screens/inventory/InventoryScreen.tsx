import { useQueries } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../../api/context.js';
import { ErrorText } from '../../components/ErrorText.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { useCommandQuery } from '../../queries/console-queries.js';
import { windowStart } from '../../queries/time-window.js';
import { useFleetName } from '../../queries/fleet-names.js';
import { Sparkline } from './Sparkline.js';
import { trafficByIntegration } from './traffic.js';
import { failureRate, inventoryRows, OLD_SECRET_DAYS, oldestSecretDays, type InventoryFilter, type SortKey } from './inventory-rows.js';

/** Every integration of every fleet and of the local receiver, in one table. */
export function InventoryScreen() {
  const api = useApi();
  const integrations = useCommandQuery('integrations.list', {}, { refetchInterval: 15_000 });
  const fleetIds = [...new Set((integrations.data ?? []).map((entry) => entry.fleetId))];
  // Hour buckets of the last day, one query per fleet.
  const since = new Date(windowStart(86_400_000, 3_600_000)).toISOString();
  const traffic = useQueries({
    queries: fleetIds.map((fleetId) => ({
      queryKey: ['inventory-traffic', fleetId, since],
      queryFn: async () => ({ fleetId, byIntegration: trafficByIntegration(
          (await api.invoke('stats.get', { fleetId, since, step: 3600 })).flatMap((node) => (node.stats ? [node.stats] : [])),
          { since: Date.parse(since), until: Date.now(), stepSeconds: 3600 },
        ) }),
      refetchInterval: 60_000,
    })),
  });
  const trafficOf = (fleetId: string, integrationId: string) => traffic.find((query) => query.data?.fleetId === fleetId)?.data?.byIntegration.get(integrationId) ?? [];
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
            <th>Traffic</th>
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
                <td>
                  <Sparkline points={trafficOf(entry.fleetId, entry.id)} label={`deliveries and failures of ${entry.id} over 24 hours`} />
                </td>
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
