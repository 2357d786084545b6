import { request } from 'node:http';

/**
 * One request to 127.0.0.1 with the path sent exactly as given: `fetch` and `URL` would normalise a
 * malformed escape such as `%E0%A4%A`, which is the very thing some tests must send. Answers the status.
 */
export function rawRequest(port: string | number, method: string, path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', reject);
    req.end(method === 'POST' ? '{}' : undefined);
  });
}
