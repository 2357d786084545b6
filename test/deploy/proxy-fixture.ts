import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { join } from 'node:path';
// The shipped renderer, so the test runs the templates exactly as an operator renders them.
import { renderTemplate } from '../../deploy/render-template.mjs';

export const NGINX = '/usr/sbin/nginx';
export const HAPROXY = '/usr/sbin/haproxy';
const DEPLOY = join(import.meta.dirname, '..', '..', 'deploy');
const START_TIMEOUT_MS = 30_000;

export type ProxyKind = 'nginx' | 'haproxy';

export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
  /** cert + key in one file, as HAProxy takes them. */
  readonly pem: string;
  readonly ca: Buffer;
}

/** A self-signed certificate for localhost and 127.0.0.1, made by openssl now. */
export function makeCertificate(dir: string): TlsFiles {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ], { stdio: 'ignore' });
  const pem = join(dir, 'bundle.pem');
  writeFileSync(pem, Buffer.concat([readFileSync(cert), readFileSync(key)]), { mode: 0o600 });
  return { cert, key, pem, ca: readFileSync(cert) };
}

export interface ProxyOptions {
  readonly port: number;
  readonly upstreams: readonly string[];
  /** Requests per second per sender address, and (nginx) the burst above it. */
  readonly rate: number;
  readonly burst: number;
  readonly maxBodyBytes: number;
}

export interface RunningProxy {
  readonly url: string;
  readonly output: () => string;
  stop(): Promise<void>;
}

/** Renders the shipped template for `kind` and runs Debian's binary on it, in the foreground, in `dir`. */
export async function startProxy(kind: ProxyKind, dir: string, tls: TlsFiles, options: ProxyOptions): Promise<RunningProxy> {
  mkdirSync(dir, { recursive: true });
  const child = kind === 'nginx' ? runNginx(dir, tls, options) : runHaproxy(dir, tls, options);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(kind === 'nginx' ? 'SIGQUIT' : 'SIGUSR1');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await handshakes(options.port, tls.ca))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`${kind} did not start on port ${options.port}:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url: `https://127.0.0.1:${options.port}`, output: () => output, stop };
}

function runNginx(dir: string, tls: TlsFiles, options: ProxyOptions): ChildProcess {
  const site = renderTemplate(readFileSync(join(DEPLOY, 'nginx', 'hookwarden.conf.template'), 'utf8'), {
    listen: `127.0.0.1:${options.port}`,
    server_name: 'localhost',
    tls_cert: tls.cert,
    tls_key: tls.key,
    rate: `${options.rate}r/s`,
    burst: String(options.burst),
    max_body: String(options.maxBodyBytes),
    upstream: options.upstreams,
  });
  writeFileSync(join(dir, 'hookwarden.conf'), site);
  // The main config Debian's /etc/nginx/nginx.conf would be: here everything lives in `dir`.
  writeFileSync(
    join(dir, 'nginx.conf'),
    [
      'daemon off;',
      'master_process on;',
      'worker_processes 1;',
      ...(process.getuid?.() === 0 ? ['user root;'] : []),
      `pid ${join(dir, 'nginx.pid')};`,
      `error_log ${join(dir, 'error.log')} warn;`,
      'events { worker_connections 512; }',
      'http {',
      `  access_log ${join(dir, 'access.log')};`,
      `  client_body_temp_path ${join(dir, 'body')};`,
      `  proxy_temp_path ${join(dir, 'proxy')};`,
      `  fastcgi_temp_path ${join(dir, 'fastcgi')};`,
      `  uwsgi_temp_path ${join(dir, 'uwsgi')};`,
      `  scgi_temp_path ${join(dir, 'scgi')};`,
      `  include ${join(dir, 'hookwarden.conf')};`,
      '}',
      '',
    ].join('\n'),
  );
  return spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
}

function runHaproxy(dir: string, tls: TlsFiles, options: ProxyOptions): ChildProcess {
  const config = renderTemplate(readFileSync(join(DEPLOY, 'haproxy', 'hookwarden.cfg.template'), 'utf8'), {
    listen: `127.0.0.1:${options.port}`,
    tls_pem: tls.pem,
    rate_10s: String(options.rate * 10 + options.burst),
    max_body: String(options.maxBodyBytes),
    upstream: options.upstreams,
  });
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, config);
  // -db: foreground, no daemon; -W would add a master process we do not need.
  return spawn(HAPROXY, ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
}

function handshakes(port: number, ca: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca, servername: 'localhost' });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('secureConnect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export interface ProxyAnswer {
  readonly status: number;
  readonly body: string;
  readonly tlsVersion: string | undefined;
}

/** One HTTPS request from a chosen loopback address (127.0.0.0/8 is all ours), verifying the test CA. */
export function send(url: string, ca: Buffer, from: string, headers: Record<string, string>, body: string, path: string): Promise<ProxyAnswer> {
  return new Promise((resolve, reject) => {
    const target = new URL(path, url);
    const outgoing = request(
      { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', ca, servername: 'localhost', localAddress: from, agent: false, headers: { 'content-type': 'application/json', ...headers } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const socket = response.socket as { getProtocol?: () => string | null };
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString(), tlsVersion: socket.getProtocol?.() ?? undefined });
        });
        response.on('error', reject);
      },
    );
    outgoing.setTimeout(30_000, () => outgoing.destroy(new Error('no answer within 30 s')));
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
