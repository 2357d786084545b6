import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LogWriter } from '../../../receiver/store/sqlite/log-writer.js';
import { TEST_HMAC_OPTIONS, newSecret, sampleBody, sign } from '../../helpers/signers.js';
import { startTestReceiver, type TestReceiver } from '../../helpers/test-receiver.js';

describe('operations', () => {
  let receiver: TestReceiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });
  const secret = newSecret('hmac');
  const integration = { id: 'inv', scheme: 'hmac', hmac: TEST_HMAC_OPTIONS, secrets: [{ id: 's1', value: secret }], capture: { retentionDays: 1 } };

  it('serves Prometheus metrics by integration, outcome and reason on the admin listener', async () => {
    receiver = await startTestReceiver({ admin: { listen: '127.0.0.1:0' }, integrations: [integration] });
    expect((await receiver.post('/hooks/inv', await sign('hmac', { secret, body: sampleBody('hmac') }))).status).toBe(202);
    const unsigned = await receiver.post('/hooks/inv', { headers: {}, body: '{}' });
    expect(unsigned.status).toBe(401);
    await receiver.logged(unsigned.json.requestId);
    const text = await (await fetch(`${receiver.engine.adminUrl}/metrics`)).text();
    expect(text).toMatch(/hookwarden_deliveries_total\{integration="inv",outcome="accepted",reason="",node="[^"]+"\} 1/);
    expect(text).toMatch(/hookwarden_deliveries_total\{integration="inv",outcome="rejected",reason="signature_missing",node="[^"]+"\} 1/);
    expect(text).toContain('hookwarden_delivery_duration_seconds_bucket');
    expect(text).toMatch(/hookwarden_replay_keys\{tier="memory",node="[^"]+"\} 2/);
    expect(text).toMatch(/hookwarden_replay_keys\{tier="disk",node="[^"]+"\} 0/);
    expect((await fetch(`${receiver.engine.adminUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${receiver.engine.adminUrl}/readyz`)).status).toBe(200);
  });

  it('purges expired captures, replay keys and old log lines, but keeps deliveries still waiting in the outbox', async () => {
    receiver = await startTestReceiver({ integrations: [integration] });
    const accepted = await receiver.post('/hooks/inv', await sign('hmac', { secret, body: sampleBody('hmac') }));
    const rejected = await receiver.post('/hooks/inv', await sign('hmac', { secret: newSecret('hmac'), body: sampleBody('hmac') }));
    await receiver.logged(rejected.json.requestId);
    const db = new Database(join(receiver.dir, 'data', 'receiver.db'));
    const writer = new LogWriter(db, { masterKey: Buffer.alloc(32), redact: {} });
    const policy = { logRetentionMs: 30 * 86_400_000, replayWindowMs: 72 * 3_600_000, maxBytes: undefined };
    try {
      writer.purge({ ...policy, now: Date.now() + 2 * 86_400_000 });
      const captured = db.prepare('SELECT request_id FROM deliveries WHERE capture IS NOT NULL').pluck().all();
      expect(captured).toEqual([accepted.json.requestId]);
      // The delivery id key lasts the 72 h dedupe window.
      expect(db.prepare('SELECT count(*) FROM replay_log').pluck().get()).toBe(1);
      expect(db.prepare('SELECT count(*) FROM deliveries').pluck().get()).toBe(2);
      writer.purge({ ...policy, now: Date.now() + 31 * 86_400_000 });
      // The accepted delivery is still owed downstream (no downstream here): its row stays until it is sent.
      expect(db.prepare('SELECT request_id FROM deliveries').pluck().all()).toEqual([accepted.json.requestId]);
      expect(db.prepare('SELECT count(*) FROM replay_log').pluck().get()).toBe(0);
      expect(rejected.status).toBe(401);
    } finally {
      db.close();
    }
  });
});
