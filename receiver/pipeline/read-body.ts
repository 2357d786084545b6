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
    let settled = false;
    // The request is dropped once answered, listeners and all: settling once is enough, nothing is taken off.
    const settle = (result: BodyResult): void => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    request.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) return settle({ kind: 'too_large' });
      chunks.push(chunk);
    });
    request.on('end', () => settle({ kind: 'body', body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size) }));
    // An aborted request ends in 'close' before it completed. Node emits a request's 'error' only to
    // listeners, and 'close' follows it, so no 'error' listener is needed.
    request.on('close', () => {
      if (!request.complete) settle({ kind: 'incomplete' });
    });
  });
}
