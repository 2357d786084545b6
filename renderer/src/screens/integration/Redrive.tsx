import { useState } from 'react';
import type { CommandInput, CommandResult } from '../../../../shared/contract/console.js';
import { Badge } from '../../components/Badge.js';
import { ErrorText } from '../../components/ErrorText.js';
import { useApi } from '../../api/context.js';
import { useInvalidateAfter } from '../../queries/console-queries.js';
import { instantOf, localInputValue, rangeProblem } from './redrive-range.js';

type Result = CommandResult<'deliveries.redrive'>;
const OUTCOMES = ['accepted', 'held'] as const;

function PerNode({ result }: { result: Result }) {
  return (
    <ul aria-label={result.dryRun ? 'Would be re-sent, per node' : 'Re-sent, per node'}>
      {result.nodes.map((node) => (
        <li key={node.url} className={node.ok ? undefined : 'error'}>
          <code>{node.url}</code>: {node.ok ? (result.dryRun ? `${node.matched ?? 0} captured` : `${node.requeued ?? 0} of ${node.matched ?? 0} re-sent`) : `failed — ${node.error ?? 'no answer'}`}
        </li>
      ))}
    </ul>
  );
}

/**
 * Redrive after an outage: re-send the captured deliveries of a time range downstream. The count
 * comes first (a dry run on every node), then a confirmation naming that count; each node
 * re-sends what it captured, once, and answers for itself.
 */
export function Redrive({ fleetId, integrationId, now }: { fleetId: string; integrationId: string; now: number }) {
  const api = useApi();
  const invalidateAfter = useInvalidateAfter();
  const [since, setSince] = useState(() => localInputValue(now - 3_600_000));
  // Open-ended by default: "until now" includes what arrives in the current minute.
  const [until, setUntil] = useState('');
  const [outcomes, setOutcomes] = useState<readonly (typeof OUTCOMES)[number][]>(OUTCOMES);
  const [count, setCount] = useState<Result>();
  const [done, setDone] = useState<Result>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const problem = rangeProblem(since, until) ?? (outcomes.length === 0 ? 'Outcome: choose accepted, held or both' : undefined);

  const request = (dryRun: boolean): CommandInput<'deliveries.redrive'> => ({
    fleetId,
    integrationId,
    since: instantOf(since) ?? '',
    ...(until === '' ? {} : { until: instantOf(until) ?? '' }),
    outcome: [...outcomes],
    dryRun,
  });
  const run = async (dryRun: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      const result = await api.invoke('deliveries.redrive', request(dryRun));
      if (dryRun) setCount(result);
      else {
        setDone(result);
        setCount(undefined);
        await invalidateAfter('deliveries.redrive');
      }
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  // A changed range makes the count it had meaningless.
  const edit = (change: () => void) => {
    change();
    setCount(undefined);
    setDone(undefined);
  };

  return (
    <section className="card" aria-labelledby="redrive-title">
      <h2 id="redrive-title">Redrive</h2>
      <p className="muted">After a downstream outage: send the deliveries this integration accepted (or held) in a time range downstream again. Each node re-sends what it captured.</p>
      <div className="filters">
        <label>
          From
          <input type="datetime-local" value={since} onChange={(event) => edit(() => setSince(event.target.value))} />
        </label>
        <label>
          Until
          <input type="datetime-local" value={until} onChange={(event) => edit(() => setUntil(event.target.value))} />
        </label>
        <fieldset>
          <legend>Outcome</legend>
          {OUTCOMES.map((outcome) => (
            <label key={outcome} className="inline">
              <input
                type="checkbox"
                checked={outcomes.includes(outcome)}
                onChange={(event) => edit(() => setOutcomes(event.target.checked ? OUTCOMES.filter((o) => o === outcome || outcomes.includes(o)) : outcomes.filter((o) => o !== outcome)))}
              />
              {outcome}
            </label>
          ))}
        </fieldset>
      </div>
      {problem && <p className="error">{problem}</p>}
      <ErrorText error={error} />
      {!count && (
        <button type="button" className="secondary" disabled={busy || problem !== undefined} onClick={() => void run(true)}>
          {busy ? 'Counting…' : 'Count deliveries'}
        </button>
      )}
      {count && (
        <div className="confirm-card" role="group" aria-label="Confirm redrive">
          <p>
            <strong>{count.matched} deliveries</strong> would be sent downstream again
            {count.nodes.some((node) => !node.ok) && <Badge tone="warn">{`partial: ${count.nodes.filter((node) => node.ok).length} of ${count.nodes.length} nodes answered`}</Badge>}
          </p>
          <PerNode result={count} />
          <div className="actions">
            <button type="button" disabled={busy || count.matched === 0} onClick={() => void run(false)}>
              {busy ? 'Re-sending…' : `Redrive ${count.matched} deliveries`}
            </button>
            <button type="button" className="secondary" onClick={() => setCount(undefined)}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {done && (
        <div role="status" aria-label="Redrive result">
          <p>
            {done.nodes.every((node) => node.ok) ? <Badge tone="ok">{`${done.requeued} re-sent`}</Badge> : <Badge tone="bad">{`${done.requeued} re-sent; failed on ${done.nodes.filter((node) => !node.ok).length} of ${done.nodes.length} nodes`}</Badge>}
          </p>
          <PerNode result={done} />
        </div>
      )}
    </section>
  );
}
