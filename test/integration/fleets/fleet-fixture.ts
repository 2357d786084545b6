import { execFileSync } from 'node:child_process';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect, createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { join } from 'node:path';
import type { TokenScope } from '../../../shared/contract/admin-api.js';
import { newSecret, sampleBody, sign } from '../../helpers/signers.js';
import { post, startTestReceiver, tempDir, type Answer, type TestReceiver } from '../../helpers/test-receiver.js';

/** Real receiver nodes on loopback, their TLS material, and tokens, for the fleet client's tests. */

export const TOKENS: Record<TokenScope, string> = {
  read: randomBytes(32).toString('base64url'),
  operate: randomBytes(32).toString('base64url'),
  admin: randomBytes(32).toString('base64url'),
};
export const SECRET = newSecret('stripe');

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export interface Pki {
  readonly dir: string;
  /** PEM of the CA that signed `server`. */
  readonly ca: string;
  /** PEM of a CA that signed nothing here. */
  readonly otherCa: string;
  /** CA-signed certificate for 127.0.0.1 and localhost. */
  readonly server: { cert: string; key: string; fingerprint: string };
  /** Self-signed certificate for 127.0.0.1 and localhost (for fingerprint pins). */
  readonly selfSigned: { cert: string; key: string; fingerprint: string };
  remove(): void;
}

/** A throw-away PKI made with the openssl CLI. */
export function makePki(): Pki {
  const dir = tempDir();
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const file = (name: string) => join(dir, name);
  const san = 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n';
  writeFileSync(file('server.ext'), san);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  for (const name of ['ca', 'other-ca']) openssl('req', '-x509', ...ec, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${name}`);
  openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=hookwarden-node');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext');
  openssl('req', '-x509', ...ec, '-keyout', 'self.key', '-out', 'self.pem', '-days', '2', '-subj', '/CN=self-signed-node', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost');
  const fingerprint = (name: string) => new X509Certificate(readFileSync(file(name))).fingerprint256;
  return {
    dir,
    ca: readFileSync(file('ca.pem'), 'utf8'),
    otherCa: readFileSync(file('other-ca.pem'), 'utf8'),
    server: { cert: file('server.pem'), key: file('server.key'), fingerprint: fingerprint('server.pem') },
    selfSigned: { cert: file('self.pem'), key: file('self.key'), fingerprint: fingerprint('self.pem') },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface NodeOptions {
  readonly tls?: { cert: string; key: string } | undefined;
  readonly dir?: string;
  readonly ingressPort?: number;
  readonly adminPort?: number;
  readonly redis?: { url: string; keyPrefix: string };
  readonly env?: NodeJS.ProcessEnv;
}

/** One receiver node with an admin listener (TLS when given) and an integration `pay` (stripe, captures kept). */
export function startNode(options: NodeOptions = {}): Promise<TestReceiver> {
  return startTestReceiver(
    {
      ingress: { listen: `127.0.0.1:${options.ingressPort ?? 0}` },
      admin: {
        listen: `127.0.0.1:${options.adminPort ?? 0}`,
        tokens: (Object.keys(TOKENS) as TokenScope[]).map((scope) => ({ name: `console-${scope}`, sha256: sha256(TOKENS[scope]), scope, payloads: true })),
        ...(options.tls ? { tls: { cert: options.tls.cert, key: options.tls.key } } : {}),
      },
      ...(options.redis ? { redis: options.redis } : {}),
      integrations: [{ id: 'pay', scheme: 'stripe', secrets: [{ id: 's1', value: SECRET }], capture: { retentionDays: 1 } }],
    },
    { ...(options.dir ? { dir: options.dir } : {}), ...(options.env ? { env: options.env } : {}) },
  );
}

export async function deliver(ingressUrl: string): Promise<Answer> {
  return post(`${ingressUrl}/hooks/pay`, await sign('stripe', { secret: SECRET, body: sampleBody('stripe') }));
}

/** A port nothing listens on (taken and released at once). */
export { freePort } from '../../helpers/free-port.js';

/**
 * A TCP proxy in front of a node's admin listener that the test can cut: `down()` ends every
 * connection and refuses new ones, `up()` lets them through again. TLS passes through untouched.
 */
export async function startCuttableProxy(target: URL): Promise<{ url: string; down(): void; up(): void; close(): Promise<void> }> {
  let open = true;
  const sockets = new Set<Socket>();
  const server: NetServer = createNetServer((client) => {
    if (!open) return client.destroy();
    const upstream = netConnect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `${target.protocol}//127.0.0.1:${port}`,
    down() {
      open = false;
      for (const socket of sockets) socket.destroy();
    },
    up() {
      open = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Polls `check` until it holds or `timeoutMs` passes. */
export async function eventually(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
