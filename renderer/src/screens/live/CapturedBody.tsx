import { useEffect, useMemo } from 'react';
import { useCapturedRequest } from '../../queries/commands.js';
import type { DeliveryRef } from './LiveList.js';

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

/** The captured body, pretty-printed when it is JSON, with the raw bytes to download. */
export function CapturedBody(at: DeliveryRef) {
  const raw = useCapturedRequest(at);
  const decoded = useMemo(() => (raw.data ? decodeBody(raw.data.bodyBase64) : undefined), [raw.data]);
  const download = useMemo(
    () => (decoded && raw.data ? URL.createObjectURL(new Blob([decoded.bytes], { type: raw.data.headers['content-type'] ?? 'application/octet-stream' })) : undefined),
    [decoded, raw.data],
  );
  // An object URL holds its bytes until revoked: let go of them when the drawer closes.
  useEffect(() => () => (download ? URL.revokeObjectURL(download) : undefined), [download]);
  if (raw.error) return <p className="muted">The body was not captured or has expired.</p>;
  if (!decoded || !download) return null;
  return (
    <>
      <h3>Body</h3>
      <pre className="body">{showableBody(decoded.text)}</pre>
      <a href={download} download={`${at.requestId}.body`}>
        Download the raw body ({decoded.bytes.length} bytes)
      </a>
    </>
  );
}
