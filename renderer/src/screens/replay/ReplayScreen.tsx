import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { FleetDelivery, ParsedInput } from '../../../../shared/contract/console.js';
import { useApi } from '../../api/context.js';
import { ErrorText } from '../../components/ErrorText.js';
import { FleetPicker, useFleetChoice } from '../../components/FleetPicker.js';
import { useLocalReceiverStatus } from '../../queries/commands.js';
import { commandKey } from '../../queries/console-queries.js';
import { decodeBody } from '../live/CapturedBody.js';
import { CapturePicker } from './CapturePicker.js';
import { ReplayResults, type ReplayOutcome } from './ReplayResults.js';

type Target = ParsedInput<'deliveries.replay'>['target'];
type Mode = 'as-captured' | 're-signed';

/** Captured deliveries sent again: to the local receiver or a loopback URL, as captured or (edited and) re-signed. */
export function ReplayScreen() {
  const api = useApi();
  const queryClient = useQueryClient();
  const choice = useFleetChoice();
  const local = useLocalReceiverStatus();
  const [selected, setSelected] = useState<ReadonlyMap<string, FleetDelivery>>(new Map());
  const [targetKind, setTargetKind] = useState<Target['kind']>('local');
  const [localIntegration, setLocalIntegration] = useState('');
  const [url, setUrl] = useState('http://127.0.0.1:8080/hooks/');
  const [mode, setMode] = useState<Mode>('re-signed');
  const [body, setBody] = useState('');
  const [results, setResults] = useState<readonly ReplayOutcome[]>([]);
  const [running, setRunning] = useState(false);
  const [loadError, setLoadError] = useState<unknown>();
  const picked = [...selected.values()];
  const first = picked[0];

  const chooseFleet = (fleetId: string) => {
    choice.choose(fleetId);
    setSelected(new Map());
  };

  const loadCapturedBody = async () => {
    if (!first) return;
    setLoadError(undefined);
    try {
      const input = { fleetId: first.fleetId, nodeUrl: first.nodeUrl, requestId: first.requestId };
      const raw = await queryClient.fetchQuery({ queryKey: commandKey('deliveries.raw', input), queryFn: () => api.invoke('deliveries.raw', input) });
      setBody(decodeBody(raw.bodyBase64).text);
    } catch (error) {
      setLoadError(error);
    }
  };

  const replay = async () => {
    setRunning(true);
    const target: Target = targetKind === 'local' ? { kind: 'local', ...(localIntegration ? { integrationId: localIntegration } : {}) } : { kind: 'url', url };
    const answers: ReplayOutcome[] = [];
    // One after another: a burst of replays against a local receiver would trip its own rate limit.
    for (const delivery of picked) {
      try {
        answers.push(
          await api.invoke('deliveries.replay', {
            fleetId: delivery.fleetId,
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
      setResults([...answers]);
    }
    setRunning(false);
  };

  return (
    <section aria-labelledby="replay-title">
      <header className="screen-header">
        <h1 id="replay-title">Replay</h1>
        <FleetPicker choice={{ ...choice, choose: chooseFleet }} />
      </header>
      <CapturePicker fleetId={choice.fleetId} enabled={choice.ready} selected={selected} onSelect={setSelected} />
      <section className="card form" aria-labelledby="send-title">
        <h2 id="send-title">Send {picked.length === 0 ? 'them' : `${picked.length} deliver${picked.length === 1 ? 'y' : 'ies'}`}</h2>
        <div className="filters">
          <label>
            Target
            <select value={targetKind} onChange={(event) => setTargetKind(event.target.value as Target['kind'])}>
              <option value="local">the local receiver</option>
              <option value="url">a URL on this machine</option>
            </select>
          </label>
          {targetKind === 'local' ? (
            <label>
              Local integration
              <select value={localIntegration} onChange={(event) => setLocalIntegration(event.target.value)}>
                <option value="">the one with the capture's scheme</option>
                {(local.data?.integrations ?? []).map((integration) => (
                  <option key={integration.id} value={integration.id}>
                    {integration.id} ({integration.scheme})
                  </option>
                ))}
              </select>
            </label>
          ) : (
            <label>
              Loopback URL
              <input type="url" value={url} onChange={(event) => setUrl(event.target.value)} size={40} />
            </label>
          )}
          <label>
            Mode
            <select value={mode} onChange={(event) => setMode(event.target.value as Mode)}>
              <option value="re-signed">re-signed with the local secret, fresh timestamp and id</option>
              <option value="as-captured">as captured (reproduce the original failure)</option>
            </select>
          </label>
        </div>
        {mode === 're-signed' && (
          <>
            <label>
              Edited body (optional; empty keeps each captured body)
              <textarea value={body} onChange={(event) => setBody(event.target.value)} rows={6} spellCheck={false} className="code-input" />
            </label>
            <div className="actions">
              <button type="button" className="secondary" disabled={!first} onClick={() => void loadCapturedBody()}>
                Start from the first picked delivery's body
              </button>
              {body !== '' && (
                <button type="button" className="secondary" onClick={() => setBody('')}>
                  Clear the edit
                </button>
              )}
            </div>
            <ErrorText error={loadError} />
          </>
        )}
        {mode === 'as-captured' && targetKind === 'local' && (
          <p className="muted">The original signature and timestamp are kept: expect the local receiver to refuse it unless it has the same secret and the capture is recent.</p>
        )}
        <div className="actions">
          <button type="button" onClick={() => void replay()} disabled={picked.length === 0 || running}>
            {running ? 'Replaying…' : `Replay ${picked.length} deliver${picked.length === 1 ? 'y' : 'ies'}`}
          </button>
        </div>
        <ReplayResults results={results} />
      </section>
    </section>
  );
}
