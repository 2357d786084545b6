import { useState } from 'react';
import type { ParsedInput, ReplayResult } from '../../../../shared/contract/console.js';
import { useApi } from '../../api/context.js';
import { ErrorText } from '../../components/ErrorText.js';
import { FleetPicker, useFleetChoice } from '../../components/FleetPicker.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { useCommandQuery } from '../../queries/console-queries.js';

type Target = ParsedInput<'deliveries.replay'>['target'];

/** Captured deliveries sent again: to the local receiver or a loopback URL, as captured or (edited and) re-signed. */
export function ReplayScreen() {
  const api = useApi();
  const choice = useFleetChoice();
  const { fleetId } = choice;
  const deliveries = useCommandQuery('deliveries.list', { fleetId, limit: 50 }, { enabled: choice.ready });
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [targetKind, setTargetKind] = useState<Target['kind']>('local');
  const [url, setUrl] = useState('http://127.0.0.1:8080/hooks/');
  const [mode, setMode] = useState<'as-captured' | 're-signed'>('re-signed');
  const [body, setBody] = useState('');
  const [results, setResults] = useState<(ReplayResult | { requestId: string; error: string })[]>([]);
  const [running, setRunning] = useState(false);
  const rows = deliveries.data?.deliveries ?? [];

  const toggle = (requestId: string) =>
    setSelected((previous) => {
      const next = new Set(previous);
      if (!next.delete(requestId)) next.add(requestId);
      return next;
    });

  const run = async () => {
    setRunning(true);
    const target: Target = targetKind === 'local' ? { kind: 'local' } : { kind: 'url', url };
    const answers: typeof results = [];
    for (const delivery of rows.filter((row) => selected.has(row.requestId))) {
      try {
        answers.push(
          await api.invoke('deliveries.replay', {
            fleetId,
            nodeUrl: delivery.nodeUrl,
            requestId: delivery.requestId,
            target,
            mode,
            ...(mode === 're-signed' && body.trim() !== '' ? { body } : {}),
          }),
        );
      } catch (error) {
        answers.push({ requestId: delivery.requestId, error: error instanceof Error ? error.message : String(error) });
      }
    }
    setResults(answers);
    setRunning(false);
  };

  return (
    <section aria-labelledby="replay-title">
      <header className="screen-header">
        <h1 id="replay-title">Replay</h1>
        <FleetPicker choice={choice} />
      </header>
      <ErrorText error={deliveries.error} />
      <div className="card">
        <h2>Captured deliveries</h2>
        <table aria-label="Captured deliveries">
          <thead>
            <tr>
              <th>Pick</th>
              <th>Time</th>
              <th>Integration</th>
              <th>Outcome</th>
              <th>Reason</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((delivery) => (
              <tr key={delivery.requestId}>
                <td>
                  <input type="checkbox" aria-label={`Pick ${delivery.requestId}`} checked={selected.has(delivery.requestId)} onChange={() => toggle(delivery.requestId)} />
                </td>
                <td>{new Date(delivery.receivedAt).toLocaleTimeString()}</td>
                <td>{delivery.integrationId ?? '—'}</td>
                <td>
                  <StatusBadge status={delivery.outcome} />
                </td>
                <td>{delivery.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="card form">
        <h2>Send them</h2>
        <div className="filters">
          <label>
            Target
            <select value={targetKind} onChange={(event) => setTargetKind(event.target.value as Target['kind'])}>
              <option value="local">the local receiver</option>
              <option value="url">a URL on this machine</option>
            </select>
          </label>
          {targetKind === 'url' && (
            <label>
              Loopback URL
              <input value={url} onChange={(event) => setUrl(event.target.value)} size={40} />
            </label>
          )}
          <label>
            Mode
            <select value={mode} onChange={(event) => setMode(event.target.value as typeof mode)}>
              <option value="re-signed">re-signed with the local secret, fresh timestamp and id</option>
              <option value="as-captured">as captured (reproduce the original failure)</option>
            </select>
          </label>
        </div>
        {mode === 're-signed' && (
          <label>
            Edited body (optional; empty keeps the captured body)
            <textarea value={body} onChange={(event) => setBody(event.target.value)} rows={4} />
          </label>
        )}
        <div className="actions">
          <button onClick={() => void run()} disabled={selected.size === 0 || running}>
            {running ? 'Replaying…' : `Replay ${selected.size} deliver${selected.size === 1 ? 'y' : 'ies'}`}
          </button>
        </div>
        <table aria-label="Replay results">
          <thead>
            <tr>
              <th>Request</th>
              <th>Status</th>
              <th>Answer</th>
              <th>Verification</th>
            </tr>
          </thead>
          <tbody>
            {results.map((result) => (
              <tr key={result.requestId}>
                <td>
                  <code>{result.requestId.slice(0, 8)}</code>
                </td>
                <td>{'status' in result ? result.status : 'failed'}</td>
                <td>{'status' in result ? <code>{result.body}</code> : <span className="error">{result.error}</span>}</td>
                <td>{'trace' in result && result.trace ? result.trace.map((step) => `${step.step}: ${step.result}`).join(' · ') : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
