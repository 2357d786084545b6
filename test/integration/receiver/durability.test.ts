import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnReceiver, type ReceiverProcess } from '../../helpers/receiver-process.js';
import { newSecret, sampleBody, sign } from '../../helpers/signers.js';
import { post, tempDir } from '../../helpers/test-receiver.js';

/** A real receiver process (the built bin) with a real SQLite file, killed the hard way. */
describe('durable accept-then-202', () => {
  const running: ReceiverProcess[] = [];
  afterEach(() => {
    for (const receiver of running.splice(0)) receiver.child.kill('SIGKILL');
  });

  const secret = newSecret('stripe');
  const config = {
    node: { id: 'durability' },
    ingress: { listen: '127.0.0.1:0' },
    storage: { path: './data', sync: 'full' },
    integrations: [{ id: 'pay', scheme: 'stripe', secrets: [{ id: 's1', value: 'env:TEST_STRIPE_SECRET' }] }],
  };

  it('loses none of a burst of 202s to kill -9, and a replay after restart is still a duplicate', async () => {
    const dir = tempDir();
    const first = await spawnReceiver(dir, config, { TEST_STRIPE_SECRET: secret });
    running.push(first);
    const deliveries = await Promise.all(Array.from({ length: 300 }, () => sign('stripe', { secret, body: sampleBody('stripe') })));
    const answers = await Promise.all(deliveries.map((delivery) => post(`${first.ingressUrl}/hooks/pay`, delivery)));
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');

    const accepted = answers.filter((answer) => answer.status === 202).map((answer) => answer.json.requestId);
    expect(accepted).toHaveLength(300);
    const db = new Database(join(dir, 'data', 'receiver.db'), { readonly: true });
    const stored = new Set(db.prepare('SELECT request_id FROM deliveries WHERE outbox = 1').pluck().all());
    db.close();
    expect(accepted.filter((id) => !stored.has(id))).toEqual([]);

    const second = await spawnReceiver(dir, config, { TEST_STRIPE_SECRET: secret });
    running.push(second);
    const replay = await post(`${second.ingressUrl}/hooks/pay`, deliveries[0]!);
    expect([replay.status, replay.json.status]).toEqual([200, 'duplicate']);
  });

  it('on SIGTERM stops accepting, flushes and exits 0', async () => {
    const dir = tempDir();
    const receiver = await spawnReceiver(dir, config, { TEST_STRIPE_SECRET: secret });
    running.push(receiver);
    const answer = await post(`${receiver.ingressUrl}/hooks/pay`, await sign('stripe', { secret, body: sampleBody('stripe') }));
    expect(answer.status).toBe(202);
    receiver.child.kill('SIGTERM');
    expect(await receiver.exited).toBe(0);
    expect(receiver.output()).toContain('"msg":"stopped"');
    const db = new Database(join(dir, 'data', 'receiver.db'), { readonly: true });
    expect(db.prepare('SELECT count(*) FROM deliveries').pluck().get()).toBe(1);
    db.close();
  });
});
