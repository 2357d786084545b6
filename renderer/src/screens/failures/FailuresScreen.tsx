import { useState } from 'react';
import { Area, AreaChart, Bar, BarChart, CartesianGrid, Legend, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { ErrorText } from '../../components/ErrorText.js';
import { FleetPicker, useFleetChoice } from '../../components/FleetPicker.js';
import { useCommandQuery } from '../../queries/console-queries.js';
import { windowStart } from '../../queries/time-window.js';
import { DIAGNOSIS_ADVICE, failureSeries } from './failure-series.js';

const RANGES = { '1 h': { ms: 3_600_000, step: 60 }, '24 h': { ms: 86_400_000, step: 900 }, '7 d': { ms: 7 * 86_400_000, step: 7_200 } } as const;
type Range = keyof typeof RANGES;
const PALETTE = ['#c22b2b', '#9a6700', '#2456c9', '#8250df', '#1a7f37', '#bc4c00', '#0969da', '#6e7781'];
const colorOf = (index: number): string => PALETTE[index % PALETTE.length] ?? '#c22b2b';

/** Signature and other failures over time, by reason and integration, with what the diagnoses mean. */
export function FailuresScreen() {
  const choice = useFleetChoice();
  const { fleetId } = choice;
  const [range, setRange] = useState<Range>('1 h');
  const since = windowStart(RANGES[range].ms);
  const stats = useCommandQuery(
    'stats.get',
    { fleetId, since: new Date(since).toISOString(), step: RANGES[range].step },
    { enabled: choice.ready, refetchInterval: 15_000 },
  );
  const views = (stats.data ?? []).flatMap((node) => (node.stats ? [node.stats] : []));
  const series = failureSeries(views, { since, until: Date.now(), stepSeconds: RANGES[range].step });
  // Every reason in every row: a missing value would break the stacked area into nothing.
  const chart = series.points.map((point) => ({
    time: new Date(point.start).toLocaleString([], { hour: '2-digit', minute: '2-digit' }),
    ...Object.fromEntries(series.reasons.map((reason) => [reason, point.byReason[reason] ?? 0])),
  }));
  const spikes = series.points.filter((point) => point.spike);
  const diagnoses = views.flatMap((view) => view.diagnoses);

  return (
    <section aria-labelledby="failures-title">
      <header className="screen-header">
        <h1 id="failures-title">Failures</h1>
        <div className="filters">
          <FleetPicker choice={choice} />
          <label>
            Range
            <select value={range} onChange={(event) => setRange(event.target.value as Range)}>
              {Object.keys(RANGES).map((name) => (
                <option key={name}>{name}</option>
              ))}
            </select>
          </label>
        </div>
      </header>
      <ErrorText error={stats.error} />
      {diagnoses.length > 0 && (
        <div className="card diagnoses" role="region" aria-label="Diagnoses">
          <h2>What the receiver found</h2>
          <ul>
            {diagnoses.map((found) => (
              <li key={`${found.integrationId}-${found.diagnosis}`}>
                <strong>{found.integrationId}</strong> ({found.count}×): {DIAGNOSIS_ADVICE[found.diagnosis]}
              </li>
            ))}
          </ul>
        </div>
      )}
      <div className="card">
        <header className="card-header">
          <h2>Failures by reason{spikes.length > 0 ? ` — ${spikes.length} spike${spikes.length > 1 ? 's' : ''} marked` : ''}</h2>
          <a href={`#live?fleet=${encodeURIComponent(fleetId)}&outcome=rejected`}>See the rejected deliveries</a>
        </header>
        {series.reasons.length === 0 ? (
          <p className="muted">No failure in this range.</p>
        ) : (
          <ResponsiveContainer width="100%" height={260}>
            <AreaChart data={chart}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="time" />
              <YAxis allowDecimals={false} />
              <Tooltip />
              <Legend />
              {series.reasons.map((reason, index) => (
                <Area key={reason} type="monotone" dataKey={reason} stackId="failures" stroke={colorOf(index)} fill={colorOf(index)} />
              ))}
              {spikes.map((point) => (
                <ReferenceLine key={point.start} x={new Date(point.start).toLocaleString([], { hour: '2-digit', minute: '2-digit' })} stroke="#c22b2b" strokeDasharray="4 2" label="spike" />
              ))}
            </AreaChart>
          </ResponsiveContainer>
        )}
      </div>
      <div className="grid-2">
        <div className="card">
          <h2>By integration</h2>
          <ResponsiveContainer width="100%" height={200}>
            <BarChart data={[...series.byIntegration]}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="integrationId" />
              <YAxis allowDecimals={false} />
              <Tooltip />
              <Bar
                dataKey="count"
                fill="#c22b2b"
                name="failures"
                cursor="pointer"
                onClick={(bar) => {
                  const integrationId = (bar as { payload?: { integrationId?: string } }).payload?.integrationId ?? '';
                  window.location.hash = `live?fleet=${encodeURIComponent(fleetId)}&outcome=rejected&integration=${encodeURIComponent(integrationId)}`;
                }}
              />
            </BarChart>
          </ResponsiveContainer>
        </div>
        <div className="card">
          <h2>Clock skew per node</h2>
          <table>
            <thead>
              <tr>
                <th>Node</th>
                <th>p50</th>
                <th>p95</th>
                <th>max</th>
              </tr>
            </thead>
            <tbody>
              {views.map((view) => (
                <tr key={view.nodeId} className={Math.abs(view.clockSkewMs.p95 ?? 0) > 5_000 ? 'warn-text' : ''}>
                  <td>{view.nodeId}</td>
                  <td>{view.clockSkewMs.p50 === null ? '—' : `${(view.clockSkewMs.p50 / 1000).toFixed(1)} s`}</td>
                  <td>{view.clockSkewMs.p95 === null ? '—' : `${(view.clockSkewMs.p95 / 1000).toFixed(1)} s`}</td>
                  <td>{view.clockSkewMs.max === null ? '—' : `${(view.clockSkewMs.max / 1000).toFixed(1)} s`}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2 className="spaced">Top source addresses of rejections</h2>
          <table>
            <tbody>
              {views
                .flatMap((view) => view.topRejectedSources)
                .slice(0, 10)
                .map((source, index) => (
                  <tr key={`${source.sourceIp}-${index}`}>
                    <td>{source.sourceIp}</td>
                    <td>{source.count}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
      </div>
    </section>
  );
}
