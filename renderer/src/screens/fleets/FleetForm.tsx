import { useState, type FormEvent } from 'react';
import { ErrorText } from '../../components/ErrorText.js';
import { useUncachedCommand } from '../../queries/uncached-command.js';
import { ConnectionTestResults, testFailed } from './ConnectionTestResults.js';

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

/** One line per URL, each once: a URL typed twice (or with a trailing slash) is one node, not a ghost second row. */
export function distinctUrls(text: string): string[] {
  return [...new Set(text.split(/\s+/).filter(Boolean).map((url) => url.replace(/\/+$/, '')))];
}

/**
 * Name, node URLs (one a line), admin token, optional pinned CA or certificate fingerprint. The
 * connection is tested before it is saved: a failing one (unreachable, TLS, token refused) is
 * saved only when the operator says so. The token goes to the main process and is never shown
 * again: editing keeps it unless a new one is typed. Commands carrying it bypass the query cache.
 */
export function FleetForm({ onDone, editing }: { onDone: () => void; editing?: FleetToEdit }) {
  const [name, setName] = useState(editing?.name ?? '');
  const [urls, setUrls] = useState(editing?.urls.join('\n') ?? '');
  const [token, setToken] = useState('');
  const [pin, setPin] = useState('');
  const [remember, setRemember] = useState(true);
  const [testedFor, setTestedFor] = useState<string | undefined>();
  const add = useUncachedCommand('fleets.add');
  const update = useUncachedCommand('fleets.update');
  const test = useUncachedCommand('fleets.test');
  const pending = add.pending || update.pending || test.pending;
  const connection = () => ({ name, nodes: distinctUrls(urls).map((url) => ({ url })), ...trustPin(pin) });
  // What the last test was run with: a result for other values says nothing about these.
  const current = JSON.stringify([urls, token, pin]);
  const result = testedFor === current ? test.result : undefined;
  const failing = result !== undefined && testFailed(result.nodes);

  const runTest = async () => {
    add.reset();
    update.reset();
    const answer = await test.run({ ...connection(), token });
    setTestedFor(current);
    return answer;
  };
  const save = async () => {
    const saved = editing
      ? await update.run({ id: editing.id, ...connection(), ...(token ? { token, remember } : {}) })
      : await add.run({ ...connection(), token, remember });
    if (saved) {
      setToken('');
      onDone();
    }
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    // Without a new token there is nothing new to test: the stored one is tested by the save itself.
    if (token === '') return save();
    const tested = result ?? (await runTest());
    if (tested && !testFailed(tested.nodes)) await save();
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
      <ErrorText error={add.error ?? update.error ?? (testedFor === current ? test.error : undefined)} />
      {result && <ConnectionTestResults nodes={result.nodes} />}
      {failing && (
        <p role="alert" className="error">
          The test failed on {result.nodes.filter((node) => node.failure !== undefined).length} of {result.nodes.length} nodes: not saved. Fix the connection and test
          again, or save it anyway.
        </p>
      )}
      {result && !failing && <p className="ok-text">The test passed on every node.</p>}
      <div className="actions">
        <button type="submit" disabled={pending}>
          {add.pending || update.pending ? 'Saving…' : test.pending ? 'Testing…' : editing ? (token ? 'Test and save' : 'Save') : 'Test and add the fleet'}
        </button>
        <button type="button" className="secondary" disabled={pending || token === ''} title={token === '' ? 'Type the token to test before saving' : undefined} onClick={() => void runTest()}>
          {test.pending ? 'Testing…' : 'Test before saving'}
        </button>
        {failing && (
          <button type="button" className="danger" disabled={pending} onClick={() => void save()}>
            Save anyway
          </button>
        )}
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
