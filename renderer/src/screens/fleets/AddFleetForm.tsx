import { useState, type FormEvent } from 'react';
import { ErrorText } from '../../components/ErrorText.js';
import { useCommandMutation } from '../../queries/console-queries.js';

/** Name, node URLs (one a line), admin token, optional pinned CA or certificate fingerprint. */
export function AddFleetForm({ onDone }: { onDone: () => void }) {
  const [name, setName] = useState('');
  const [urls, setUrls] = useState('');
  const [token, setToken] = useState('');
  const [pin, setPin] = useState('');
  const [remember, setRemember] = useState(true);
  const add = useCommandMutation('fleets.add', ['fleets.list', 'integrations.list']);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmedPin = pin.trim();
    add.mutate(
      {
        name,
        nodes: urls.split(/\s+/).filter(Boolean).map((url) => ({ url })),
        token,
        remember,
        ...(trimmedPin.includes('BEGIN CERTIFICATE') ? { ca: trimmedPin } : trimmedPin ? { fingerprint: trimmedPin } : {}),
      },
      {
        onSuccess: () => {
          setToken('');
          onDone();
        },
      },
    );
  };

  return (
    <form className="card form" onSubmit={submit} aria-label="Add a fleet">
      <h2>Add a fleet</h2>
      <label>
        Name
        <input value={name} onChange={(event) => setName(event.target.value)} required placeholder="production EU" />
      </label>
      <label>
        Admin API URLs, one per line
        <textarea value={urls} onChange={(event) => setUrls(event.target.value)} required rows={3} placeholder="https://eu-1.internal:9090" />
      </label>
      <label>
        Admin token
        <input type="password" value={token} onChange={(event) => setToken(event.target.value)} required autoComplete="off" />
      </label>
      <label>
        Pinned CA certificate (PEM) or SHA-256 fingerprint — optional
        <textarea value={pin} onChange={(event) => setPin(event.target.value)} rows={2} />
      </label>
      <label className="inline">
        <input type="checkbox" checked={remember} onChange={(event) => setRemember(event.target.checked)} />
        Remember the token in the OS keychain (otherwise for this session only)
      </label>
      <ErrorText error={add.error} />
      <div className="actions">
        <button type="submit" disabled={add.isPending}>
          {add.isPending ? 'Connecting…' : 'Add and test'}
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
