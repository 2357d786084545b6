import { useEffect, useMemo, useState } from 'react';
import type { RawDelivery } from '../../../../shared/contract/admin-api.js';
import { CommandFailure } from '../../api/command-failure.js';
import { CopyButton } from '../../components/CopyButton.js';
import { ErrorText } from '../../components/ErrorText.js';
import { useCapturedRequest } from '../../queries/commands.js';
import { curlCommand, signatureHeaderNames } from './curl-command.js';
import { EditAndReplay } from './EditAndReplay.js';
import type { DeliveryRef } from './LiveList.js';
import { RawBytes } from './RawBytes.js';

/** Shown bodies are capped: the drawer must stay responsive; the whole capture can be downloaded. */
export const SHOWN_BODY_CHARS = 20_000;

export function decodeBody(base64: string): { bytes: Uint8Array<ArrayBuffer>; text: string } {
  const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
  return { bytes, text: new TextDecoder().decode(bytes) };
}

/** JSON pretty-printed, anything else as it came; capped at `limit` characters. */
export function showableBody(text: string, limit = SHOWN_BODY_CHARS): string {
  let shown = text;
  try {
    shown = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // Not JSON: shown as received.
  }
  return shown.length > limit ? `${shown.slice(0, limit)}\n… (${shown.length - limit} more characters: download the raw body)` : shown;
}

/** Why the body cannot be shown, in words an operator can act on. */
function RawRefused({ error }: { error: unknown }) {
  const code = error instanceof CommandFailure ? error.code : '';
  if (code === 'payloads_not_permitted') {
    return (
      <p role="alert" className="warn-text">
        This fleet&apos;s token may not read captured payloads. Ask for a token with the <code>payloads</code> permission on the nodes to see the body, copy it
        as cURL or replay it; the delivery&apos;s log record above is all this token can see.
      </p>
    );
  }
  if (code === 'not_found' || code === 'not_found_on_answering_nodes') return <p className="muted">The body was not captured or has expired.</p>;
  return <ErrorText error={error} />;
}

function CopyAsCurl({ raw, bytes, loggedHeaders }: { raw: RawDelivery; bytes: Uint8Array; loggedHeaders: Readonly<Record<string, string>> }) {
  const [reveal, setReveal] = useState(false);
  const signatures = useMemo(() => signatureHeaderNames(loggedHeaders, raw.headers), [loggedHeaders, raw.headers]);
  const command = useMemo(() => curlCommand(raw, bytes, { signatureHeaders: signatures, revealSignatures: reveal }), [raw, bytes, signatures, reveal]);
  return (
    <>
      <h3>Copy as cURL</h3>
      <div className="actions">
        <CopyButton text={command} label="Copy as cURL" />
        <label className="inline">
          <input type="checkbox" checked={reveal} onChange={(event) => setReveal(event.target.checked)} /> Include the signature headers ({signatures.size})
        </label>
      </div>
      <pre className="body compact" aria-label="cURL command">
        {command}
      </pre>
    </>
  );
}

/**
 * The captured request, fetched only when the operator asks (reading a payload is a permission of
 * its own, and audited on the node): the body pretty and as exact bytes side by side, a download,
 * the request as a cURL command, and a replay with edited headers and body.
 */
export function CapturedBody({ at, loggedHeaders }: { at: DeliveryRef; loggedHeaders: Readonly<Record<string, string>> }) {
  const [wanted, setWanted] = useState(false);
  const raw = useCapturedRequest(at, wanted);
  const decoded = useMemo(() => (raw.data ? decodeBody(raw.data.bodyBase64) : undefined), [raw.data]);
  const download = useMemo(
    () => (decoded && raw.data ? URL.createObjectURL(new Blob([decoded.bytes], { type: raw.data.headers['content-type'] ?? 'application/octet-stream' })) : undefined),
    [decoded, raw.data],
  );
  // An object URL holds its bytes until revoked: let go of them when the drawer closes.
  useEffect(() => () => (download ? URL.revokeObjectURL(download) : undefined), [download]);

  if (!wanted) {
    return (
      <>
        <h3>Body</h3>
        <button type="button" className="secondary" onClick={() => setWanted(true)}>
          Show the captured body
        </button>
        <p className="muted small">Reading a captured payload is recorded in the node&apos;s audit log.</p>
      </>
    );
  }
  if (raw.error) return <RawRefused error={raw.error} />;
  if (!decoded || !download || !raw.data) return <p className="muted">Loading the captured body…</p>;
  return (
    <>
      <div className="body-views">
        <section aria-label="Body, pretty">
          <h3>Body</h3>
          <pre className="body">{showableBody(decoded.text)}</pre>
        </section>
        <section aria-label="Body, exact bytes">
          <h3>Exact bytes</h3>
          <RawBytes bytes={decoded.bytes} />
        </section>
      </div>
      <a href={download} download={`${at.requestId}.body`}>
        Download the raw body ({decoded.bytes.length} bytes)
      </a>
      <CopyAsCurl raw={raw.data} bytes={decoded.bytes} loggedHeaders={loggedHeaders} />
      <EditAndReplay at={at} raw={raw.data} text={decoded.text} signatureHeaders={signatureHeaderNames(loggedHeaders, raw.data.headers)} />
    </>
  );
}
