import { useEffect, useRef, useState } from 'react';
import type { CommandResult } from '../../../../shared/contract/console.js';
import { ROTATION_MODE, type SchemeName } from '../../../../shared/model/schemes.js';
import { CopyButton } from '../../components/CopyButton.js';
import { ErrorText } from '../../components/ErrorText.js';
import { useUncachedCommand } from '../../queries/uncached-command.js';
import { NodeResults } from './NodeResults.js';
import { PROVIDER_GUIDES } from './rotation-guide.js';
import { useNavigationBlock } from './use-navigation-block.js';

type Rotation = CommandResult<'integrations.rotateSecret'>;

/**
 * The new secret, once: copy it now, because closing this forgets it for good. Until it is copied
 * or dismissed, the operator cannot navigate away from it (and lose it) by a stray click.
 */
function RevealedSecret({ rotation, secret, onClose }: { rotation: Rotation; secret: string; onClose: () => void }) {
  const dialog = useRef<HTMLDivElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const [copied, setCopied] = useState(false);
  const attempted = useNavigationBlock(!copied, dialog);
  useEffect(() => heading.current?.focus(), []);
  return (
    <div className="card reveal" role="dialog" aria-labelledby="reveal-title" ref={dialog}>
      <h2 id="reveal-title" tabIndex={-1} ref={heading}>
        New secret {rotation.secretId}
      </h2>
      <p>
        <strong>You will not see this secret again.</strong> Set it at the sender now.
      </p>
      <code className="secret" data-testid="revealed-secret">
        {secret}
      </code>
      {attempted && !copied && (
        <p className="error" role="alert">
          Copy the secret or close this first: leaving now would lose it.
        </p>
      )}
      <div className="actions">
        <CopyButton text={secret} label="Copy the secret" onCopied={() => setCopied(true)} />
        <button type="button" className="secondary" onClick={onClose}>
          I have stored it — close
        </button>
      </div>
      <p>Both secrets verify now. The old one keeps verifying, with no expiry, until you confirm below that the sender signs with the new one.</p>
      <NodeResults nodes={rotation.nodes} />
    </div>
  );
}

/** A pasted provider secret is sent once and never comes back: only the nodes' acknowledgement is shown. */
function PastedSecretAdded({ rotation, onClose }: { rotation: Rotation; onClose: () => void }) {
  return (
    <div className="card" role="status" aria-label="New secret added">
      <p>
        Secret {rotation.secretId} is on the nodes and verifies; the old one keeps verifying until you confirm the cutover below.
      </p>
      <NodeResults nodes={rotation.nodes} />
      <button type="button" className="secondary" onClick={onClose}>
        Close
      </button>
    </div>
  );
}

/**
 * Rotation as the scheme allows it (ROTATION_MODE): `generate` draws a new secret in the main
 * process for the operator to set at the sender; `paste` takes the secret the provider issued.
 * Either way the new secret is added pending on every node: both verify, and the old one's
 * overlap starts only when the operator confirms the cutover (ConfirmCutover). The secret lives
 * in this component's state only (never a cache or storage) and is forgotten when it closes.
 */
export function RotateSecret({
  fleetId,
  integrationId,
  scheme,
  waitingForCutover = false,
}: {
  fleetId: string;
  integrationId: string;
  scheme: SchemeName;
  /** A rotation is pending: no second one starts before its cutover is confirmed. */
  waitingForCutover?: boolean;
}) {
  const rotate = useUncachedCommand('integrations.rotateSecret');
  const [confirming, setConfirming] = useState(false);
  const [pasted, setPasted] = useState('');
  const [keepCopy, setKeepCopy] = useState(false);
  const mode = ROTATION_MODE[scheme];
  const guide = PROVIDER_GUIDES[scheme];

  if (mode === 'keys') return null;
  if (rotate.result) {
    return rotate.result.secret === undefined ? (
      <PastedSecretAdded rotation={rotate.result} onClose={rotate.reset} />
    ) : (
      <RevealedSecret rotation={rotate.result} secret={rotate.result.secret} onClose={rotate.reset} />
    );
  }
  if (waitingForCutover && !confirming) return null;
  if (!confirming) {
    return (
      <div className="actions">
        <button type="button" onClick={() => setConfirming(true)}>
          {mode === 'paste' ? `Rotate: paste ${guide?.provider ?? 'the provider'}’s new secret` : 'Rotate secret'}
        </button>
        <ErrorText error={rotate.error} />
      </div>
    );
  }
  const close = () => {
    setConfirming(false);
    setPasted('');
  };
  const submit = () => {
    void rotate.run({ fleetId, integrationId, keepCopy, ...(mode === 'paste' ? { secret: pasted } : {}) }).then((rotation) => rotation && close());
  };
  return (
    <div className="card confirm-card" role="group" aria-label="Confirm rotation">
      {mode === 'paste' && guide ? (
        <>
          <p>
            {guide.provider} issues this secret itself: a secret made up here would break the integration. <strong>At {guide.provider}:</strong> {guide.where}
          </p>
          <p className="muted">{guide.overlap}</p>
          <label>
            New signing secret from {guide.provider}
            <input type="password" autoComplete="off" spellCheck={false} value={pasted} onChange={(event) => setPasted(event.target.value)} />
          </label>
        </>
      ) : (
        <p>A new secret is generated and added to every node. Both verify until you confirm that the sender signs with the new one; only then does the old secret’s overlap start.</p>
      )}
      <label className="inline">
        <input type="checkbox" checked={keepCopy} onChange={(event) => setKeepCopy(event.target.checked)} />
        Also keep a copy in the OS keychain
      </label>
      <ErrorText error={rotate.error} />
      <div className="actions">
        <button type="button" disabled={rotate.pending || (mode === 'paste' && pasted.trim() === '')} onClick={submit}>
          {rotate.pending ? 'Adding…' : mode === 'paste' ? 'Add it to every node' : 'Generate and add'}
        </button>
        <button type="button" className="secondary" onClick={close}>
          Cancel
        </button>
      </div>
    </div>
  );
}
