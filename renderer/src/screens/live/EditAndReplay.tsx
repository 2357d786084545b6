import { useId, useMemo, useState } from 'react';
import type { RawDelivery } from '../../../../shared/contract/admin-api.js';
import { ErrorText } from '../../components/ErrorText.js';
import { useCommandMutation } from '../../queries/console-queries.js';
import type { DeliveryRef } from './LiveList.js';
import { ReplayAnswer } from './ReplayAnswer.js';

/** Not offered for editing: the transport sets them, or (signatures) the replay mode decides them. */
const NOT_EDITABLE = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'keep-alive', 'upgrade', 'expect', 'x-forwarded-for']);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;

export function editableHeaders(captured: Readonly<Record<string, string>>, signatureHeaders: ReadonlySet<string>): string {
  return Object.entries(captured)
    .filter(([name]) => !NOT_EDITABLE.has(name) && !signatureHeaders.has(name))
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n');
}

/**
 * The operator's header text turned into the edits the replay applies: changed or new headers with
 * their value, and removed ones with an empty value. A line that is not `Name: value` is refused,
 * naming the line.
 */
export function headerEdits(text: string, original: string): { edits: Record<string, string> } | { error: string } {
  const parse = (block: string): Map<string, string> | string => {
    const headers = new Map<string, string>();
    for (const [index, line] of block.split('\n').entries()) {
      if (line.trim() === '') continue;
      const colon = line.indexOf(':');
      const name = colon < 0 ? '' : line.slice(0, colon).trim().toLowerCase();
      if (!HEADER_NAME.test(name)) return `line ${index + 1} is not "Name: value": ${line.slice(0, 60)}`;
      headers.set(name, line.slice(colon + 1).trim());
    }
    return headers;
  };
  const edited = parse(text);
  if (typeof edited === 'string') return { error: edited };
  const before = parse(original) as Map<string, string>;
  const edits: Record<string, string> = {};
  for (const [name, value] of edited) if (before.get(name) !== value) edits[name] = value;
  for (const name of before.keys()) if (!edited.has(name)) edits[name] = '';
  return { edits };
}

/** Replay to the local receiver with the headers and the body as the operator edits them. */
export function EditAndReplay({ at, raw, text, signatureHeaders }: { at: DeliveryRef; raw: RawDelivery; text: string; signatureHeaders: ReadonlySet<string> }) {
  const original = useMemo(() => editableHeaders(raw.headers, signatureHeaders), [raw.headers, signatureHeaders]);
  const [headers, setHeaders] = useState(original);
  const [body, setBody] = useState(text);
  const [mode, setMode] = useState<'re-signed' | 'as-captured'>('re-signed');
  const replay = useCommandMutation('deliveries.replay');
  const edits = headerEdits(headers, original);
  const id = useId();
  const send = () => {
    if ('error' in edits) return;
    replay.mutate({
      ...at,
      target: { kind: 'local' },
      mode,
      ...(Object.keys(edits.edits).length > 0 ? { headers: edits.edits } : {}),
      ...(mode === 're-signed' && body !== text ? { body } : {}),
    });
  };
  return (
    <section aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Edit and replay locally</h3>
      <div className="edit-replay">
        <label>
          Headers, one per line (remove a line to leave the header out)
          <textarea value={headers} onChange={(event) => setHeaders(event.target.value)} rows={6} spellCheck={false} />
        </label>
        <label>
          Body
          <textarea value={body} onChange={(event) => setBody(event.target.value)} rows={6} spellCheck={false} disabled={mode === 'as-captured'} />
        </label>
      </div>
      <fieldset className="inline-choice">
        <legend className="visually-hidden">Signature</legend>
        <label className="inline">
          <input type="radio" name={`${id}-mode`} checked={mode === 're-signed'} onChange={() => setMode('re-signed')} /> Re-sign with the local secret
        </label>
        <label className="inline">
          <input type="radio" name={`${id}-mode`} checked={mode === 'as-captured'} onChange={() => setMode('as-captured')} /> Keep the captured signature and body
        </label>
      </fieldset>
      {'error' in edits && (
        <p role="alert" className="error">
          Headers: {edits.error}
        </p>
      )}
      <button type="button" disabled={replay.isPending || 'error' in edits} onClick={send}>
        Replay edited
      </button>
      <ErrorText error={replay.error} />
      {replay.data && <ReplayAnswer answer={replay.data} />}
    </section>
  );
}
