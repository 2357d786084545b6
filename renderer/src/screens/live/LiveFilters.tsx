import { OUTCOMES, REASONS } from '../../../../shared/model/outcomes.js';
import type { LiveFilter } from './live-filter.js';

/** Fleet, integration, outcome, reason and free text. */
export function LiveFilters({
  filter,
  onChange,
  fleets,
  integrations,
  fleetName,
}: {
  filter: LiveFilter;
  onChange: (filter: LiveFilter) => void;
  fleets: readonly string[];
  integrations: readonly string[];
  fleetName: (fleetId: string) => string;
}) {
  // A filter that came in a link keeps its value selectable even before a matching delivery arrived.
  const fleetOptions = filter.fleetId === 'all' || fleets.includes(filter.fleetId) ? fleets : [...fleets, filter.fleetId];
  const integrationOptions = filter.integrationId === 'all' || integrations.includes(filter.integrationId) ? integrations : [...integrations, filter.integrationId];
  return (
    <div className="filters" role="search" aria-label="Filter the deliveries">
      <label>
        Fleet
        <select value={filter.fleetId} onChange={(event) => onChange({ ...filter, fleetId: event.target.value })}>
          <option value="all">all</option>
          {fleetOptions.map((fleetId) => (
            <option key={fleetId} value={fleetId}>
              {fleetName(fleetId)}
            </option>
          ))}
        </select>
      </label>
      <label>
        Integration
        <select value={filter.integrationId} onChange={(event) => onChange({ ...filter, integrationId: event.target.value })}>
          <option value="all">all</option>
          {integrationOptions.map((integrationId) => (
            <option key={integrationId}>{integrationId}</option>
          ))}
        </select>
      </label>
      <label>
        Outcome
        <select value={filter.outcome} onChange={(event) => onChange({ ...filter, outcome: event.target.value as LiveFilter['outcome'] })}>
          <option value="all">all</option>
          {OUTCOMES.map((outcome) => (
            <option key={outcome}>{outcome}</option>
          ))}
        </select>
      </label>
      <label>
        Reason
        <select value={filter.reason} onChange={(event) => onChange({ ...filter, reason: event.target.value as LiveFilter['reason'] })}>
          <option value="all">all</option>
          {REASONS.map((reason) => (
            <option key={reason}>{reason}</option>
          ))}
        </select>
      </label>
      <label>
        Search
        <input type="search" value={filter.text} onChange={(event) => onChange({ ...filter, text: event.target.value })} placeholder="integration, reason, address, id" />
      </label>
    </div>
  );
}
