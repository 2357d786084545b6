import { createServer } from 'node:net';

/** A port the kernel just handed out on 127.0.0.1, closed again for a child process to take. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('the kernel handed out no port'))));
    });
  });
}
