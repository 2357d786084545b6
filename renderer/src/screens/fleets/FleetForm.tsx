import { useState, type FormEvent } from 'react';
import { ErrorText } from '../../components/ErrorText.js';
import { useCommandMutation } from '../../queries/console-queries.js';

export interface FleetToEdit {
  readonly id: string;
  readonly name: string;
  readonly urls: readonly string[];
}

/**
 * Name, node URLs (one a line), admin token, optional pinned CA or certificate fingerprint. Editing
 * an existing fleet leaves the token as it is unless a new one is typed (it is never shown).
 */
export function FleetForm({ onDone, editing }: { onDone: () => void; editing?: FleetToEdit }) {
  const [name, setName] = useState(editing?.name ?? '');
  const [urls, setUrls] = useState(editing?.urls.join('\n') ?? '');
  const [token, setToken] = useState('');
  const [pin, setPin] = useState('');
  const [remember, setRemember] = useState(true);
  const add = useCommandMutation('fleets.add', ['fleets.list', 'integrations.list']);
  const update = useCommandMutation('fleets.update', ['fleets.list', 'integrations.list']);
  const pending = add.isPending || update.isPending;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmedPin = pin.trim();
    const connection = {
      name,
      nodes: urls.split(/\s+/).filter(Boolean).map((url) => ({ url })),
      remember,
      ...(trimmedPin.includes('BEGIN CERTIFICATE') ? { ca: trimmedPin } : trimmedPin ? { fingerprint: trimmedPin } : {}),
    };
    const done = {
      onSuccess: () => {
        setToken('');
        onDone();
      },
    };
    if (editing) update.mutate({ id: editing.id, ...connection, ...(token ? { token } : {}) }, done);
    else add.mutate({ ...connection, token }, done);
  };

  return (
    <form className="card form" onSubmit={submit} aria-label={editing ? `Edit ${editing.name}` : 'Add a fleet'}>
      <h2>{editing ? `Edit ${editing.name}` : 'Add a fleet'}</h2>
      <label>
        Name
        <input value={name} onChange={(event) => setName(event.target.value)} required placeholder="production EU" />
      </label>
      <label>
        Admin API URLs, one per line
        <textarea value={urls} onChange={(event) => setUrls(event.target.value)} required rows={3} placeholder="https://eu-1.internal:9090" />
      </label>
      <label>
        {editing ? 'New admin token (leave empty to keep the current one)' : 'Admin token'}
        <input type="password" value={token} onChange={(event) => setToken(event.target.value)} required={!editing} autoComplete="off" />
      </label>
      <label>
        Pinned CA certificate (PEM) or SHA-256 fingerprint — optional
        <textarea value={pin} onChange={(event) => setPin(event.target.value)} rows={2} />
      </label>
      <label className="inline">
        <input type="checkbox" checked={remember} onChange={(event) => setRemember(event.target.checked)} />
        Remember the token in the OS keychain (otherwise for this session only)
      </label>
      <ErrorText error={add.error ?? update.error} />
      <div className="actions">
        <button type="submit" disabled={pending}>
          {pending ? 'Connecting…' : editing ? 'Save and test' : 'Add and test'}
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
