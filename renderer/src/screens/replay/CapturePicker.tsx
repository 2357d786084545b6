import { useState } from 'react';
import type { FleetDelivery } from '../../../../shared/contract/console.js';
import { OUTCOMES, type Outcome } from '../../../../shared/model/outcomes.js';
import { ErrorText } from '../../components/ErrorText.js';
import { time } from '../../components/format.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { useDeliveryPage } from '../../queries/commands.js';

/** The captured deliveries of a fleet, newest first, to pick one or many from. */
export function CapturePicker({
  fleetId,
  enabled,
  selected,
  onSelect,
}: {
  fleetId: string;
  enabled: boolean;
  selected: ReadonlyMap<string, FleetDelivery>;
  onSelect: (selected: ReadonlyMap<string, FleetDelivery>) => void;
}) {
  const [outcome, setOutcome] = useState<Outcome | 'all'>('all');
  const page = useDeliveryPage({ fleetId, limit: 100, ...(outcome === 'all' ? {} : { outcome: [outcome] }) }, enabled);
  const rows = page.data?.deliveries ?? [];
  const allPicked = rows.length > 0 && rows.every((row) => selected.has(row.requestId));
  const toggle = (delivery: FleetDelivery) => {
    const next = new Map(selected);
    if (!next.delete(delivery.requestId)) next.set(delivery.requestId, delivery);
    onSelect(next);
  };

  return (
    <section className="card" aria-labelledby="captures-title">
      <header className="card-header">
        <h2 id="captures-title">Captured deliveries</h2>
        <div className="filters">
          <label>
            Outcome
            <select value={outcome} onChange={(event) => setOutcome(event.target.value as Outcome | 'all')}>
              <option value="all">all</option>
              {OUTCOMES.map((name) => (
                <option key={name}>{name}</option>
              ))}
            </select>
          </label>
        </div>
      </header>
      <ErrorText error={page.error} />
      {rows.length === 0 && !page.isPending ? (
        <p className="muted">No captured delivery in this fleet yet.</p>
      ) : (
        <div className="table-scroll short">
          <table aria-label="Captured deliveries">
            <thead>
              <tr>
                <th>
                  <input
                    type="checkbox"
                    aria-label="Pick every delivery shown"
                    checked={allPicked}
                    onChange={() => onSelect(allPicked ? new Map() : new Map([...selected, ...rows.map((row) => [row.requestId, row] as const)]))}
                  />
                </th>
                <th>Time</th>
                <th>Node</th>
                <th>Integration</th>
                <th>Status</th>
                <th>Outcome</th>
                <th>Reason</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((delivery) => (
                <tr key={delivery.requestId} className={selected.has(delivery.requestId) ? 'picked' : undefined}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Pick the ${delivery.outcome} delivery of ${delivery.integrationId ?? 'no integration'} at ${time(delivery.receivedAt)}`}
                      checked={selected.has(delivery.requestId)}
                      onChange={() => toggle(delivery)}
                    />
                  </td>
                  <td>{time(delivery.receivedAt)}</td>
                  <td>{delivery.nodeId}</td>
                  <td>{delivery.integrationId ?? '—'}</td>
                  <td>{delivery.status}</td>
                  <td>
                    <StatusBadge status={delivery.outcome} />
                  </td>
                  <td>{delivery.reason ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
