import { useState } from 'react';
import { CopyButton } from '../../components/CopyButton.js';
import { ErrorText } from '../../components/ErrorText.js';
import { useUncachedCommand } from '../../queries/uncached-command.js';

/**
 * A local integration's secret: revealed on a click (and hidden again), or replaced by one the
 * operator pastes — the `whsec_…` that `stripe listen` prints, a provider's test secret. Both
 * go through uncached commands: the value lives in this cell's state only.
 */
export function LocalSecret({ integrationId, running }: { integrationId: string; running: boolean }) {
  const reveal = useUncachedCommand('localReceiver.secret');
  const set = useUncachedCommand('localReceiver.setSecret');
  const [editing, setEditing] = useState(false);
  const [pasted, setPasted] = useState('');

  if (editing) {
    return (
      <form
        className="stack"
        onSubmit={(event) => {
          event.preventDefault();
          void set.run({ integrationId, secret: pasted }).then((result) => {
            if (!result) return;
            setEditing(false);
            setPasted('');
            reveal.reset();
          });
        }}>
        <label>
          New secret for {integrationId}
          <input type="password" autoComplete="off" spellCheck={false} value={pasted} onChange={(event) => setPasted(event.target.value)} />
        </label>
        <ErrorText error={set.error} />
        <div className="actions">
          <button type="submit" disabled={set.pending || pasted.trim() === ''}>
            {set.pending ? 'Saving…' : 'Use this secret'}
          </button>
          <button type="button" className="secondary" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </div>
      </form>
    );
  }
  return (
    <div className="stack">
      {reveal.result ? (
        <div className="actions">
          <code className="secret" data-testid="revealed-secret">
            {reveal.result.secret}
          </code>
          <CopyButton text={reveal.result.secret} label="Copy" className="secondary" />
          <button type="button" className="secondary" onClick={reveal.reset}>
            Hide
          </button>
        </div>
      ) : (
        <div className="actions">
          <button type="button" className="secondary" aria-label={`Reveal the secret of ${integrationId}`} disabled={!running || reveal.pending} onClick={() => void reveal.run({ integrationId })}>
            Reveal
          </button>
          <button type="button" className="secondary" aria-label={`Set the secret of ${integrationId}…`} disabled={!running} onClick={() => setEditing(true)}>
            Set…
          </button>
        </div>
      )}
      {set.result && <span className="ok-text">{`Now verifying with ${set.result.secretId} (fingerprint ${set.result.fingerprint})`}</span>}
      <ErrorText error={reveal.error} />
    </div>
  );
}
