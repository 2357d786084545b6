import type { IncomingMessage } from 'node:http';

export type BodyResult = { readonly kind: 'body'; readonly body: Buffer } | { readonly kind: 'too_large' } | { readonly kind: 'incomplete' };

/**
 * Reads the raw body bytes, never more than `limit`: a declared Content-Length over the limit is
 * refused before reading, and a chunked body is cut off as soon as it passes the limit.
 */
export function readBody(request: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = request.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return Promise.resolve({ kind: 'too_large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        resolve({ kind: 'too_large' });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve({ kind: 'body', body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size) });
    };
    const onAbort = (): void => {
      cleanup();
      resolve({ kind: 'incomplete' });
    };
    const cleanup = (): void => {
      request.off('data', onData).off('end', onEnd).off('error', onAbort).off('aborted', onAbort).off('close', onClose);
    };
    const onClose = (): void => {
      if (!request.complete) onAbort();
    };
    request.on('data', onData).on('end', onEnd).on('error', onAbort).on('aborted', onAbort).on('close', onClose);
  });
}
