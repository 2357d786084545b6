import { useEffect, useMemo } from 'react';
import { useCommandQuery } from '../../queries/console-queries.js';

/** Shown bodies are capped: the drawer must stay responsive; the whole capture can be downloaded. */
const SHOWN_BODY_CHARS = 20_000;

function decode(base64: string): { bytes: Uint8Array<ArrayBuffer>; text: string } {
  const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
  return { bytes, text: new TextDecoder().decode(bytes) };
}

function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** The captured body, pretty-printed when it is JSON, with the raw bytes to download. */
export function CapturedBody({ fleetId, nodeUrl, requestId }: { fleetId: string; nodeUrl: string; requestId: string }) {
  const raw = useCommandQuery('deliveries.raw', { fleetId, nodeUrl, requestId });
  const decoded = useMemo(() => (raw.data ? decode(raw.data.bodyBase64) : undefined), [raw.data]);
  const download = useMemo(
    () => (decoded && raw.data ? URL.createObjectURL(new Blob([decoded.bytes], { type: raw.data.headers['content-type'] ?? 'application/octet-stream' })) : undefined),
    [decoded, raw.data],
  );
  // An object URL holds its bytes until revoked: let go of them when the drawer closes.
  useEffect(() => () => (download ? URL.revokeObjectURL(download) : undefined), [download]);
  if (!decoded || !download) return raw.error ? <p className="muted">The body was not captured or has expired.</p> : null;
  const { bytes, text } = decoded;
  const shown = pretty(text);
  return (
    <>
      <h3>Body</h3>
      <pre className="body">{shown.length > SHOWN_BODY_CHARS ? `${shown.slice(0, SHOWN_BODY_CHARS)}\n… (${shown.length - SHOWN_BODY_CHARS} more characters)` : shown}</pre>
      <a href={download} download={`${requestId}.body`}>
        Download the raw body ({bytes.length} bytes)
      </a>
    </>
  );
}
