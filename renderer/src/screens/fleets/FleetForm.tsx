import { useState, type FormEvent } from 'react';
import { ErrorText } from '../../components/ErrorText.js';
import { useUncachedCommand } from '../../queries/uncached-command.js';
import { ConnectionTestResults } from './ConnectionTestResults.js';

export interface FleetToEdit {
  readonly id: string;
  readonly name: string;
  readonly urls: readonly string[];
}

/** The pinned CA field takes either a PEM certificate or a SHA-256 fingerprint; which one is told by its shape. */
function trustPin(text: string): { ca: string } | { fingerprint: string } | Record<string, never> {
  const pin = text.trim();
  if (pin === '') return {};
  return pin.includes('BEGIN CERTIFICATE') ? { ca: pin } : { fingerprint: pin };
}

/**
 * Name, node URLs (one a line), admin token, optional pinned CA or certificate fingerprint. The
 * token goes to the main process and is never shown again: editing keeps it unless a new one is
 * typed. Commands carrying it bypass the query cache (see useUncachedCommand).
 */
export function FleetForm({ onDone, editing }: { onDone: () => void; editing?: FleetToEdit }) {
  const [name, setName] = useState(editing?.name ?? '');
  const [urls, setUrls] = useState(editing?.urls.join('\n') ?? '');
  const [token, setToken] = useState('');
  const [pin, setPin] = useState('');
  const [remember, setRemember] = useState(true);
  const add = useUncachedCommand('fleets.add');
  const update = useUncachedCommand('fleets.update');
  const test = useUncachedCommand('fleets.test');
  const pending = add.pending || update.pending;
  const connection = () => ({ name, nodes: urls.split(/\s+/).filter(Boolean).map((url) => ({ url })), ...trustPin(pin) });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const saved = editing
      ? await update.run({ id: editing.id, ...connection(), ...(token ? { token, remember } : {}) })
      : await add.run({ ...connection(), token, remember });
    if (saved) {
      setToken('');
      onDone();
    }
  };
  const title = editing ? `Edit ${editing.name}` : 'Add a fleet';

  return (
    <form className="card form" onSubmit={(event) => void submit(event)} aria-label={title}>
      <h2>{title}</h2>
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
        <input type="password" value={token} onChange={(event) => setToken(event.target.value)} required={!editing} autoComplete="off" spellCheck={false} />
      </label>
      <label>
        Pinned CA certificate (PEM) or SHA-256 fingerprint — optional
        <textarea value={pin} onChange={(event) => setPin(event.target.value)} rows={2} spellCheck={false} placeholder="-----BEGIN CERTIFICATE----- … or AB:CD:…" />
      </label>
      <label className="inline">
        <input type="checkbox" checked={remember} onChange={(event) => setRemember(event.target.checked)} />
        Remember the token in the OS keychain (otherwise for this session only)
      </label>
      <ErrorText error={add.error ?? update.error ?? test.error} />
      {test.result && <ConnectionTestResults nodes={test.result.nodes} />}
      <div className="actions">
        <button type="submit" disabled={pending}>
          {pending ? 'Connecting…' : editing ? 'Save' : 'Add the fleet'}
        </button>
        <button
          type="button"
          className="secondary"
          disabled={test.pending || token === ''}
          title={token === '' ? 'Type the token to test before saving' : undefined}
          onClick={() => void test.run({ ...connection(), token })}>
          {test.pending ? 'Testing…' : 'Test before saving'}
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
