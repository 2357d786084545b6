import { OUTCOMES, REASONS } from '../../../../shared/model/outcomes.js';
import type { LiveFilter } from './live-filter.js';

export interface NodeOption {
  readonly fleetId: string;
  readonly url: string;
  readonly label: string;
}

/** The searches the nodes run on their logs (exact matches). */
const SEARCHES = [
  { field: 'deliveryId', label: 'Event or delivery id', placeholder: 'evt_…, X-GitHub-Delivery, webhook-id' },
  { field: 'requestId', label: 'Request id', placeholder: "from the receiver's answer" },
  { field: 'sourceIp', label: 'Source address', placeholder: '203.0.113.7' },
] as const;

/** Fleet, node, integration, outcome, reason and free text; then the searches the nodes run on their logs. */
export function LiveFilters({
  filter,
  onChange,
  fleets,
  nodes,
  integrations,
  fleetName,
}: {
  filter: LiveFilter;
  onChange: (filter: LiveFilter) => void;
  fleets: readonly string[];
  nodes: readonly NodeOption[];
  integrations: readonly string[];
  fleetName: (fleetId: string) => string;
}) {
  // A filter that came in a link keeps its value selectable even before the lists have loaded.
  const fleetOptions = filter.fleetId === 'all' || fleets.includes(filter.fleetId) ? fleets : [...fleets, filter.fleetId];
  const nodeOptions = (filter.node === 'all' || nodes.some((node) => node.url === filter.node) ? nodes : [...nodes, { fleetId: '', url: filter.node, label: filter.node }]).filter(
    (node) => filter.fleetId === 'all' || node.fleetId === filter.fleetId || node.url === filter.node,
  );
  const integrationOptions = filter.integrationId === 'all' || integrations.includes(filter.integrationId) ? integrations : [...integrations, filter.integrationId];
  const set = (change: Partial<LiveFilter>) => onChange({ ...filter, ...change });
  return (
    <div className="live-filters">
      <div className="filters" role="search" aria-label="Filter the deliveries">
        <label>
          Fleet
          <select value={filter.fleetId} onChange={(event) => set({ fleetId: event.target.value, node: 'all' })}>
            <option value="all">all</option>
            {fleetOptions.map((fleetId) => (
              <option key={fleetId} value={fleetId}>
                {fleetName(fleetId)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Node
          <select value={filter.node} onChange={(event) => set({ node: event.target.value })}>
            <option value="all">all</option>
            {nodeOptions.map((node) => (
              <option key={`${node.fleetId} ${node.url}`} value={node.url}>
                {node.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Integration
          <select value={filter.integrationId} onChange={(event) => set({ integrationId: event.target.value })}>
            <option value="all">all</option>
            {integrationOptions.map((integrationId) => (
              <option key={integrationId}>{integrationId}</option>
            ))}
          </select>
        </label>
        <label>
          Outcome
          <select value={filter.outcome} onChange={(event) => set({ outcome: event.target.value as LiveFilter['outcome'] })}>
            <option value="all">all</option>
            {OUTCOMES.map((outcome) => (
              <option key={outcome}>{outcome}</option>
            ))}
          </select>
        </label>
        <label>
          Reason
          <select value={filter.reason} onChange={(event) => set({ reason: event.target.value as LiveFilter['reason'] })}>
            <option value="all">all</option>
            {REASONS.map((reason) => (
              <option key={reason}>{reason}</option>
            ))}
          </select>
        </label>
        <label>
          Text
          <input type="search" value={filter.text} onChange={(event) => set({ text: event.target.value })} placeholder="in what is shown" />
        </label>
      </div>
      <div className="filters" role="search" aria-label="Search the nodes' logs">
        {SEARCHES.map(({ field, label, placeholder }) => (
          <label key={field}>
            {label}
            <input type="search" value={filter[field]} onChange={(event) => set({ [field]: event.target.value })} placeholder={placeholder} spellCheck={false} />
          </label>
        ))}
      </div>
    </div>
  );
}
