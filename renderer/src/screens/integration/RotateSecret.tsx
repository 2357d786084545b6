import { useEffect, useRef, useState } from 'react';
import type { CommandResult } from '../../../../shared/contract/console.js';
import { CopyButton } from '../../components/CopyButton.js';
import { ErrorText } from '../../components/ErrorText.js';
import { dateTime, remaining } from '../../components/format.js';
import { useUncachedCommand } from '../../queries/uncached-command.js';
import { useNow } from '../../queries/use-now.js';
import { NodeResults } from './NodeResults.js';

export const OVERLAPS = [
  { label: '1 hour', seconds: 3_600 },
  { label: '24 hours', seconds: 86_400 },
  { label: '7 days', seconds: 604_800 },
] as const;

type Rotation = CommandResult<'integrations.rotateSecret'>;

/** The new secret, once: copy it now, because closing this forgets it for good. */
function RevealedSecret({ rotation, onClose }: { rotation: Rotation; onClose: () => void }) {
  const now = useNow();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const expires = rotation.expiresOld ? Date.parse(rotation.expiresOld) : undefined;
  return (
    <div className="card reveal" role="dialog" aria-labelledby="reveal-title">
      <h2 id="reveal-title" tabIndex={-1} ref={heading}>
        New secret {rotation.secretId}
      </h2>
      <p>
        <strong>You will not see this secret again.</strong> Set it at the sender now.
      </p>
      <code className="secret" data-testid="revealed-secret">
        {rotation.secret}
      </code>
      <div className="actions">
        <CopyButton text={rotation.secret} label="Copy the secret" />
        <button type="button" className="secondary" onClick={onClose}>
          I have stored it — close
        </button>
      </div>
      <p>
        {expires === undefined
          ? 'The old secret keeps verifying until you retire it.'
          : `The old secret keeps verifying until ${dateTime(rotation.expiresOld ?? '')}: ${remaining(expires - now)} left.`}
      </p>
      <NodeResults nodes={rotation.nodes} />
    </div>
  );
}

/**
 * One click and a confirmation: a new secret is drawn in the main process, pushed to every node
 * with the chosen overlap, and shown here once. It lives in this component's state only (never in
 * the query cache, the mutation cache or any storage) and is forgotten when the dialog closes.
 */
export function RotateSecret({ fleetId, integrationId }: { fleetId: string; integrationId: string }) {
  const rotate = useUncachedCommand('integrations.rotateSecret');
  const [confirming, setConfirming] = useState(false);
  const [overlap, setOverlap] = useState<number>(86_400);
  const [keepCopy, setKeepCopy] = useState(false);

  if (rotate.result) return <RevealedSecret rotation={rotate.result} onClose={rotate.reset} />;
  if (!confirming) {
    return (
      <div className="actions">
        <button type="button" onClick={() => setConfirming(true)}>
          Rotate secret
        </button>
        <ErrorText error={rotate.error} />
      </div>
    );
  }
  return (
    <div className="card confirm-card" role="group" aria-label="Confirm rotation">
      <p>A new secret is added on every node. The current secret keeps verifying during the overlap, then expires.</p>
      <fieldset>
        <legend>Overlap</legend>
        {OVERLAPS.map((choice) => (
          <label key={choice.seconds} className="inline">
            <input type="radio" name="overlap" value={choice.seconds} checked={overlap === choice.seconds} onChange={() => setOverlap(choice.seconds)} />
            {choice.label}
          </label>
        ))}
      </fieldset>
      <label className="inline">
        <input type="checkbox" checked={keepCopy} onChange={(event) => setKeepCopy(event.target.checked)} />
        Also keep a copy in the OS keychain
      </label>
      <ErrorText error={rotate.error} />
      <div className="actions">
        <button
          type="button"
          disabled={rotate.pending}
          onClick={() => {
            void rotate.run({ fleetId, integrationId, overlapSeconds: overlap, keepCopy }).then((rotation) => rotation && setConfirming(false));
          }}>
          {rotate.pending ? 'Rotating…' : 'Rotate now'}
        </button>
        <button type="button" className="secondary" onClick={() => setConfirming(false)}>
          Cancel
        </button>
      </div>
    </div>
  );
}
