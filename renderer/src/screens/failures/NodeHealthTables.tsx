import type { StatsView } from '../../../../shared/contract/admin-api.js';
import { Badge } from '../../components/Badge.js';
import { seconds } from '../../components/format.js';
import { liveHref } from '../live/live-filter.js';

/** Skew above this eats into a five-minute tolerance enough to be worth a look. */
const HIGH_SKEW_MS = 30_000;

/** How far each node's senders' timestamps are from its clock: the direct cause of tolerance failures. */
export function ClockSkewTable({ views }: { views: readonly StatsView[] }) {
  return (
    <section className="card" aria-labelledby="skew-title">
      <h2 id="skew-title">Clock skew per node</h2>
      <table>
        <thead>
          <tr>
            <th>Node</th>
            <th className="numeric">Samples</th>
            <th className="numeric">p50</th>
            <th className="numeric">p95</th>
            <th className="numeric">max</th>
            <th>Assessment</th>
          </tr>
        </thead>
        <tbody>
          {views.map((view) => {
            const p95 = Math.abs(view.clockSkewMs.p95 ?? 0);
            return (
              <tr key={view.nodeId}>
                <td>{view.nodeId}</td>
                <td className="numeric">{view.clockSkewMs.count}</td>
                <td className="numeric">{seconds(view.clockSkewMs.p50)}</td>
                <td className="numeric">{seconds(view.clockSkewMs.p95)}</td>
                <td className="numeric">{seconds(view.clockSkewMs.max)}</td>
                <td>
                  {view.clockSkewMs.count === 0 ? (
                    <Badge tone="muted">no signed timestamps</Badge>
                  ) : p95 > HIGH_SKEW_MS ? (
                    <Badge tone="warn">high: check NTP on the node and the sender</Badge>
                  ) : (
                    <Badge tone="ok">normal</Badge>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

/** Who sends the requests that are refused: a misconfigured sender, or someone probing. */
export function TopSourcesTable({ fleetId, sources }: { fleetId: string; sources: readonly { sourceIp: string; count: number }[] }) {
  return (
    <section className="card" aria-labelledby="sources-title">
      <h2 id="sources-title">Top source addresses of rejections</h2>
      {sources.length === 0 ? (
        <p className="muted">No rejection in this range.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Address</th>
              <th className="numeric">Rejections</th>
              <th>Deliveries</th>
            </tr>
          </thead>
          <tbody>
            {sources.map((source) => (
              <tr key={source.sourceIp}>
                <td>
                  <code>{source.sourceIp}</code>
                </td>
                <td className="numeric">{source.count}</td>
                <td>
                  <a href={liveHref({ fleetId, outcome: 'rejected', text: source.sourceIp })}>Show in Live</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
