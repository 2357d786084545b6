import { useMemo, useState } from 'react';
import { Badge } from '../../components/Badge.js';
import { ErrorText } from '../../components/ErrorText.js';
import { FleetPicker, useFleetChoice } from '../../components/FleetPicker.js';
import { useStats } from '../../queries/commands.js';
import { windowStart } from '../../queries/time-window.js';
import { DiagnosesCard } from './DiagnosesCard.js';
import { diagnosisSummary, failureSeries, topRejectedSources } from './failure-series.js';
import { FailuresByIntegration } from './FailuresByIntegration.js';
import { FailuresByReason } from './FailuresByReason.js';
import { ClockSkewTable, TopSourcesTable } from './NodeHealthTables.js';
import { bucketLabel, RANGE_NAMES, RANGES, type RangeName } from './ranges.js';

/** Why deliveries are refused, over time, by reason and integration, with what the diagnoses mean. */
export function FailuresScreen() {
  const choice = useFleetChoice();
  const { fleetId } = choice;
  const [range, setRange] = useState<RangeName>('1 h');
  const { ms, stepSeconds } = RANGES[range];
  const since = windowStart(ms, stepSeconds * 1000);
  const stats = useStats({ fleetId, since: new Date(since).toISOString(), step: stepSeconds }, { enabled: choice.ready, refetchInterval: 15_000 });
  const views = useMemo(() => (stats.data ?? []).flatMap((node) => (node.stats ? [node.stats] : [])), [stats.data]);
  const series = useMemo(() => failureSeries(views, { since, until: Date.now(), stepSeconds }), [views, since, stepSeconds]);
  const unanswered = (stats.data ?? []).filter((node) => node.error);

  return (
    <section aria-labelledby="failures-title">
      <header className="screen-header">
        <h1 id="failures-title">
          Failures{' '}
          {unanswered.length > 0 && <Badge tone="warn">{`partial: ${(stats.data ?? []).length - unanswered.length} of ${(stats.data ?? []).length} nodes`}</Badge>}
        </h1>
        <div className="filters">
          <FleetPicker choice={choice} />
          <label>
            Range
            <select value={range} onChange={(event) => setRange(event.target.value as RangeName)}>
              {RANGE_NAMES.map((name) => (
                <option key={name}>{name}</option>
              ))}
            </select>
          </label>
        </div>
      </header>
      <ErrorText error={stats.error} />
      {unanswered.map((node) => (
        <p key={node.url} className="error" role="alert">
          {node.url} did not answer: {node.error}. Its failures are missing from these charts.
        </p>
      ))}
      <DiagnosesCard fleetId={fleetId} diagnoses={diagnosisSummary(views)} />
      <FailuresByReason fleetId={fleetId} series={series} label={bucketLabel(range)} />
      <div className="grid-2">
        <FailuresByIntegration fleetId={fleetId} counts={series.byIntegration} />
        <TopSourcesTable fleetId={fleetId} sources={topRejectedSources(views)} />
      </div>
      <ClockSkewTable views={views} />
    </section>
  );
}
