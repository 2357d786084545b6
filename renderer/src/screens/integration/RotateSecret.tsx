import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { CommandResult } from '../../../../shared/contract/console.js';
import { useApi } from '../../api/context.js';
import { ErrorText } from '../../components/ErrorText.js';
import { NodeResults } from './NodeResults.js';

const OVERLAPS = [
  { label: '1 hour', seconds: 3_600 },
  { label: '24 hours', seconds: 86_400 },
  { label: '7 days', seconds: 604_800 },
] as const;

/**
 * One click and a confirmation: a new secret is drawn in the main process, pushed to every node
 * with the chosen overlap, and shown here once. It is kept in this component's state only (never
 * in the query cache or any storage) and forgotten when the dialog closes.
 */
export function RotateSecret({ fleetId, integrationId }: { fleetId: string; integrationId: string }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [step, setStep] = useState<'idle' | 'confirm' | 'working'>('idle');
  const [overlap, setOverlap] = useState<number>(86_400);
  const [keepCopy, setKeepCopy] = useState(false);
  const [revealed, setRevealed] = useState<CommandResult<'integrations.rotateSecret'> | undefined>();
  const [error, setError] = useState<unknown>();

  const rotate = async () => {
    setStep('working');
    setError(undefined);
    try {
      setRevealed(await api.invoke('integrations.rotateSecret', { fleetId, integrationId, overlapSeconds: overlap, keepCopy }));
      await queryClient.invalidateQueries({ queryKey: ['integrations.list'] });
    } catch (failure) {
      setError(failure);
    }
    setStep('idle');
  };

  if (revealed) {
    return (
      <div className="card reveal" role="dialog" aria-label="New secret">
        <h2>New secret {revealed.secretId}</h2>
        <p>
          <strong>You will not see this secret again.</strong> Set it at the sender now; the old secret keeps verifying until{' '}
          {revealed.expiresOld ? new Date(revealed.expiresOld).toLocaleString() : 'you retire it'}.
        </p>
        <code className="secret" data-testid="revealed-secret">
          {revealed.secret}
        </code>
        <div className="actions">
          <button onClick={() => void navigator.clipboard?.writeText(revealed.secret)}>Copy</button>
          <button className="secondary" onClick={() => setRevealed(undefined)}>
            I have stored it — close
          </button>
        </div>
        <NodeResults nodes={revealed.nodes} />
      </div>
    );
  }
  return (
    <div>
      {step === 'idle' && <button onClick={() => setStep('confirm')}>Rotate secret</button>}
      {step !== 'idle' && (
        <div className="card" role="group" aria-label="Confirm rotation">
          <p>A new secret will be added on every node. The current secrets keep verifying during the overlap, then expire.</p>
          <div className="filters">
            <label>
              Overlap
              <select value={overlap} onChange={(event) => setOverlap(Number(event.target.value))}>
                {OVERLAPS.map((choice) => (
                  <option key={choice.seconds} value={choice.seconds}>
                    {choice.label}
                  </option>
                ))}
              </select>
            </label>
            <label className="inline">
              <input type="checkbox" checked={keepCopy} onChange={(event) => setKeepCopy(event.target.checked)} />
              Keep a copy in the OS keychain
            </label>
          </div>
          <div className="actions">
            <button onClick={() => void rotate()} disabled={step === 'working'}>
              {step === 'working' ? 'Rotating…' : 'Rotate now'}
            </button>
            <button className="secondary" onClick={() => setStep('idle')}>
              Cancel
            </button>
          </div>
        </div>
      )}
      <ErrorText error={error} />
    </div>
  );
}
