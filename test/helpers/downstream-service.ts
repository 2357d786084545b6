import { createServer } from 'node:http';

export interface DownstreamService {
  readonly url: string;
  /** Bodies received, in arrival order. */
  readonly received: string[];
  close(): Promise<void>;
}

/** A downstream service on loopback that takes every forwarded delivery with 200 and remembers its body. */
export async function startDownstream(): Promise<DownstreamService> {
  const received: string[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push(Buffer.concat(chunks).toString('utf8'));
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks-in`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
