import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { AdminError } from './admin-service.js';

/** Admin requests are small (a reason, a secret): anything bigger is refused before it is buffered. */
export const MAX_JSON_BODY_BYTES = 64 * 1024;

const COMMON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  // Answers carry fleet state and delivery headers: nothing in between may keep them.
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
} as const;

export function sendJson(response: ServerResponse, status: number, value: unknown, headers: Record<string, string | number> = {}): void {
  if (response.headersSent || response.destroyed) return;
  const body = JSON.stringify(value);
  response.writeHead(status, { ...COMMON_HEADERS, 'content-length': Buffer.byteLength(body), ...headers });
  response.end(body);
}

export function sendError(response: ServerResponse, status: number, code: string, message: string, headers: Record<string, string | number> = {}): void {
  sendJson(response, status, { error: { code, message } }, headers);
}

/**
 * The request's JSON body; an empty body reads as `{}` so the schema names what is missing. Parser
 * messages are never passed on: they quote the input, and the input may be a secret.
 */
export function readJsonBody(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > MAX_JSON_BODY_BYTES) {
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_JSON_BODY_BYTES) {
        request.removeAllListeners('data');
        request.pause();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    request.on('error', reject);
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8').trim();
      if (text === '') return resolve({});
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new AdminError(400, 'invalid_request', 'body: not valid JSON'));
      }
    });
  });
}

function tooLarge(): AdminError {
  return new AdminError(413, 'body_too_large', `body: larger than ${MAX_JSON_BODY_BYTES} bytes`);
}

/** Parses with a contract schema; a failure names each field and what is wrong with it, never its value. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, where: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.length === 0 ? where : issue.path.map(String).join('.')}: ${issue.message}`);
  throw new AdminError(400, 'invalid_request', problems.join('; '));
}
