import { useState } from 'react';
import type { IntegrationEntry } from '../../../../shared/contract/console.js';
import { KILL_SWITCH_MODES, type KillSwitchMode } from '../../../../shared/model/kill-switch.js';
import { killModeConsequence } from '../../../../shared/model/sender-profiles.js';
import { ErrorText } from '../../components/ErrorText.js';
import { useCommandMutation } from '../../queries/console-queries.js';
import { NodeResults } from './NodeResults.js';

/** Engage or release the integration's kill switch, with what each mode means for this sender. */
export function KillSwitch({ integration }: { integration: IntegrationEntry }) {
  const kill = useCommandMutation('integrations.kill', ['integrations.list']);
  const resume = useCommandMutation('integrations.resume', ['integrations.list']);
  const [mode, setMode] = useState<KillSwitchMode>('hold');
  const [reason, setReason] = useState('');
  const [confirming, setConfirming] = useState(false);
  const target = { fleetId: integration.fleetId, integrationId: integration.id };
  const result = kill.data ?? resume.data;

  return (
    <div className="card" aria-labelledby="kill-title">
      <h2 id="kill-title">Kill switch</h2>
      {integration.kill ? (
        <>
          <p>
            Engaged in mode <strong>{integration.kill.mode}</strong> by {integration.kill.actor} since {new Date(integration.kill.since).toLocaleString()}: “
            {integration.kill.reason}”.{integration.heldCount > 0 ? ` ${integration.heldCount} deliveries are held.` : ''}
          </p>
          <label>
            Reason for releasing
            <input value={reason} onChange={(event) => setReason(event.target.value)} />
          </label>
          <div className="actions">
            <button disabled={reason.trim() === ''} onClick={() => resume.mutate({ ...target, reason, held: 'release' }, { onSuccess: () => setReason('') })}>
              Release{integration.heldCount > 0 ? ' and deliver what was held' : ''}
            </button>
            {integration.heldCount > 0 && (
              <button className="danger" disabled={reason.trim() === ''} onClick={() => resume.mutate({ ...target, reason, held: 'discard' }, { onSuccess: () => setReason('') })}>
                Release and discard what was held
              </button>
            )}
          </div>
        </>
      ) : (
        <>
          <fieldset>
            <legend>Mode</legend>
            {KILL_SWITCH_MODES.map((choice) => (
              <label key={choice} className="inline">
                <input type="radio" name="kill-mode" value={choice} checked={mode === choice} onChange={() => setMode(choice)} />
                <strong>{choice}</strong> — {killModeConsequence(integration.scheme, choice)}
              </label>
            ))}
          </fieldset>
          <label>
            Reason (required, kept in the audit log)
            <input value={reason} onChange={(event) => setReason(event.target.value)} />
          </label>
          {confirming ? (
            <div className="actions">
              <span>Engage “{mode}” on every node of this fleet?</span>
              <button className="danger" onClick={() => kill.mutate({ ...target, mode, reason }, { onSettled: () => setConfirming(false), onSuccess: () => setReason('') })}>
                Engage
              </button>
              <button className="secondary" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </div>
          ) : (
            <div className="actions">
              <button className="danger" disabled={reason.trim() === ''} onClick={() => setConfirming(true)}>
                Engage kill switch…
              </button>
            </div>
          )}
        </>
      )}
      <ErrorText error={kill.error ?? resume.error} />
      {result && <NodeResults nodes={result.nodes} />}
    </div>
  );
}
