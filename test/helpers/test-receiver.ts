import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseConfig } from '../../receiver/config/load-config.js';
import { startReceiver, type EngineOptions, type ReceiverEngine } from '../../receiver/engine.js';
import { silentLogger } from '../../receiver/observability/logger.js';
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
  close(): Promise<void>;
}

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
  return {
    engine,
    dir,
    post: (path, delivery, extraHeaders = {}) => post(`${engine.ingressUrl}${path}${delivery.query ?? ''}`, delivery, extraHeaders),
    db() {
      const db = new Database(join(dir, 'data', 'receiver.db'), { readonly: true });
      opened.push(db);
      return db;
    },
    async close() {
      for (const db of opened) db.close();
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
