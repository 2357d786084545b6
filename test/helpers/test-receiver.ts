import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseConfig } from '../../receiver/config/load-config.js';
import { startReceiver, type EngineOptions, type ReceiverEngine } from '../../receiver/engine.js';
import { silentLogger } from '../../receiver/observability/logger.js';
import { loadMasterKey } from '../../receiver/state/master-key.js';
import { openCapture } from '../../receiver/store/capture-codec.js';
import type { Delivery } from './signers.js';

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly json: { status?: string; requestId?: string };
}

export interface TestReceiver {
  readonly engine: ReceiverEngine;
  readonly dir: string;
  post(path: string, delivery: Delivery, extraHeaders?: Record<string, string>): Promise<Answer>;
  /** A read-only view of the node's SQLite file. */
  db(): Database.Database;
  /** The log row of a request once its (asynchronous) write has committed; rejections are answered before they are logged. */
  logged(requestId: string | undefined): Promise<Record<string, unknown>>;
  /** The node's capture of a request, opened with its master key. */
  capture(requestId: string | undefined): { query: string; headers: Record<string, string>; body: Buffer } | undefined;
  close(): Promise<void>;
}

/** Generous: the machine running the tests may be busy. */
const LOG_WAIT_MS = 10_000;

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'hookwarden-test-'));
}

/** Writes `files` beside the config, then runs an in-process receiver on a free loopback port. */
export async function startTestReceiver(
  config: Record<string, unknown>,
  options: Partial<EngineOptions> & { files?: Record<string, string>; /** reuse a folder, e.g. to restart on the same store */ dir?: string } = {},
): Promise<TestReceiver> {
  const dir = options.dir ?? tempDir();
  for (const [name, content] of Object.entries(options.files ?? {})) writeFileSync(join(dir, name), content);
  const loaded = parseConfig(
    stringify({ ingress: { listen: '127.0.0.1:0' }, storage: { path: './data', sync: 'normal' }, ...config }),
    join(dir, 'receiver.yml'),
  );
  const engine = await startReceiver(loaded, { logger: silentLogger, ...options });
  const opened: Database.Database[] = [];
  const db = (): Database.Database => {
    const connection = new Database(join(dir, 'data', 'receiver.db'), { readonly: true });
    opened.push(connection);
    return connection;
  };
  return {
    engine,
    dir,
    post: (path, delivery, extraHeaders = {}) => post(`${engine.ingressUrl}${path}${delivery.query ?? ''}`, delivery, extraHeaders),
    db,
    async logged(requestId) {
      const select = db().prepare('SELECT * FROM deliveries WHERE request_id = ?');
      const deadline = Date.now() + LOG_WAIT_MS;
      for (;;) {
        const row = select.get(requestId ?? '') as Record<string, unknown> | undefined;
        if (row) return row;
        if (Date.now() > deadline) throw new Error(`request ${requestId ?? '(none)'} was not logged within ${LOG_WAIT_MS} ms`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    capture(requestId) {
      const row = db().prepare('SELECT integration_id, capture FROM deliveries WHERE request_id = ? AND capture IS NOT NULL').get(requestId ?? '') as
        | { integration_id: string; capture: Buffer }
        | undefined;
      if (!row) return undefined;
      const key = loadMasterKey(join(dir, 'data'), options.env ?? process.env);
      const { query, headers, body } = openCapture(key, row.integration_id, row.capture);
      return { query, headers: { ...headers }, body };
    },
    async close() {
      for (const connection of opened) connection.close();
      await engine.close();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function post(url: string, delivery: Delivery, extraHeaders: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...delivery.headers, ...extraHeaders },
    body: delivery.body,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? (JSON.parse(text) as Answer['json']) : {} };
}
