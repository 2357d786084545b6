import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { spawnReceiver, type ReceiverProcess } from '../helpers/receiver-process.js';
import { TEST_HMAC_OPTIONS, newSecret, sign } from '../helpers/signers.js';
import { HAPROXY, NGINX, makeCertificate, send, startProxy, type ProxyAnswer, type ProxyKind, type RunningProxy, type TlsFiles } from './proxy-fixture.js';

const TOKEN = randomBytes(24).toString('hex');
const MAX_BODY = 65_536;
/** Low, so that a burst is refused however slowly a busy machine sends it. */
const RATE = 5;
const BURST = 10;
/** The test's senders: each its own loopback address, so the per-sender limit of one never touches another. */
const SENDER = { signed: '127.0.0.2', burst: '127.0.0.3', failover: '127.0.0.4', oversized: '127.0.0.5', forger: '127.0.0.6', bystander: '127.0.0.7' } as const;

const kinds: { kind: ProxyKind; binary: string }[] = [
  { kind: 'nginx', binary: NGINX },
  { kind: 'haproxy', binary: HAPROXY },
];

describe.each(kinds)('$kind in front of two receiver nodes', ({ kind, binary }) => {
  const available = existsSync(binary);
  const secrets: Record<'stripe' | 'hmac', string> = { stripe: newSecret('stripe'), hmac: newSecret('hmac') };
  const dir = mkdtempSync(join(tmpdir(), `hookwarden-${kind}-`));
  const nodes: ReceiverProcess[] = [];
  const proxies: RunningProxy[] = [];
  let tls: TlsFiles;
  let proxy: RunningProxy;
  let untrustingProxy: RunningProxy;
  let untrustingNode: ReceiverProcess;

  const nodeConfig = (id: string, trusted: boolean) => ({
    node: { id },
    ingress: { listen: '127.0.0.1:0', maxBodyBytes: MAX_BODY, trustedProxies: trusted ? ['127.0.0.1/32'] : [] },
    admin: { listen: '127.0.0.1:0', tokens: [{ name: 'test', sha256: createHash('sha256').update(TOKEN).digest('hex'), scope: 'read' }] },
    storage: { path: './data' },
    integrations: [
      { id: 'stripe', scheme: 'stripe', secrets: [{ id: 's1', value: secrets.stripe }] },
      { id: 'inv', scheme: 'hmac', hmac: TEST_HMAC_OPTIONS, secrets: [{ id: 'k1', value: secrets.hmac }] },
    ],
  });
  const nodeDir = (id: string): string => join(dir, id);
  const startNode = async (id: string, trusted = true): Promise<ReceiverProcess> => {
    mkdirSync(nodeDir(id), { recursive: true });
    return spawnReceiver(nodeDir(id), nodeConfig(id, trusted));
  };
  const hostPort = (node: ReceiverProcess): string => new URL(node.ingressUrl).host;

  /** The delivery as the node recorded it, from whichever node has it. */
  const recorded = async (requestId: string, among: readonly ReceiverProcess[]): Promise<{ sourceIp: string; outcome: string } | undefined> => {
    for (const node of among) {
      const response = await fetch(`${node.adminUrl}/admin/v1/deliveries/${requestId}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      if (response.status === 200) return (await response.json()) as { sourceIp: string; outcome: string };
      await response.body?.cancel();
    }
    return undefined;
  };

  const signed = (scheme: keyof typeof secrets, body: string) => sign(scheme, { secret: secrets[scheme], body });
  const deliver = async (via: RunningProxy, from: string, scheme: 'stripe' | 'hmac', body: string, extra: Record<string, string> = {}): Promise<ProxyAnswer> => {
    const delivery = await signed(scheme, body);
    return send(via.url, tls.ca, from, { ...delivery.headers, ...extra }, delivery.body, scheme === 'stripe' ? '/hooks/stripe' : '/hooks/inv');
  };
  const requestIdOf = (answer: ProxyAnswer): string => (JSON.parse(answer.body) as { requestId: string }).requestId;

  beforeAll(async () => {
    if (!available) return;
    tls = makeCertificate(dir);
    nodes.push(await startNode('node-a'), await startNode('node-b'));
    untrustingNode = await startNode('node-c', false);
    const base = { rate: RATE, burst: BURST, maxBodyBytes: MAX_BODY };
    proxy = await startProxy(kind, join(dir, 'proxy'), tls, { ...base, port: await freePort(), upstreams: nodes.map(hostPort) });
    proxies.push(proxy);
    untrustingProxy = await startProxy(kind, join(dir, 'proxy-untrusted'), tls, { ...base, port: await freePort(), upstreams: [hostPort(untrustingNode)] });
    proxies.push(untrustingProxy);
  }, 120_000);

  afterAll(async () => {
    for (const running of proxies) await running.stop();
    for (const node of [...nodes, untrustingNode]) {
      if (!node) continue;
      node.child.kill('SIGTERM');
      await node.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it.skipIf(!available)('passes signed deliveries over TLS 1.3 with their raw bytes intact', async () => {
    // Spacing, key order, unicode and a trailing newline: any re-serialisation on the way breaks the signature.
    const bodies = ['{"id":"evt_1","object":"event",  "amount": 1.50, "name":"Zoë ☃"}\n', '{\r\n  "b": 2,\n"a": [1,2]\t}'];
    for (const scheme of ['stripe', 'hmac'] as const) {
      for (const body of bodies) {
        const answer = await deliver(proxy, SENDER.signed, scheme, scheme === 'stripe' ? body.replace('evt_1', `evt_${randomBytes(4).toString('hex')}`) : body);
        expect(answer.status, answer.body).toBe(202);
        expect(answer.tlsVersion).toBe('TLSv1.3');
        expect((await recorded(requestIdOf(answer), nodes))?.outcome).toBe('accepted');
      }
    }
    // The check is real: one byte changed after signing is refused by the node, through the proxy.
    const delivery = await signed('hmac', '{"n":1}');
    const tampered = await send(proxy.url, tls.ca, SENDER.signed, delivery.headers, '{"n":2}', '/hooks/inv');
    expect(tampered.status).toBe(401);
  });

  it.skipIf(!available)('refuses a body over the limit at the proxy', async () => {
    const answer = await deliver(proxy, SENDER.oversized, 'hmac', JSON.stringify({ pad: 'x'.repeat(MAX_BODY) }));
    expect(answer.status).toBe(413);
    // Not the receiver's answer, which always carries a requestId.
    expect(answer.body).not.toContain('requestId');
  });

  it.skipIf(!available)('records the sender from X-Forwarded-For only when the proxy is trusted', async () => {
    // A sender that forges X-Forwarded-For: the proxy replaces it with the address it sees.
    const forged = { 'x-forwarded-for': '6.6.6.6' };
    const trusted = await deliver(proxy, SENDER.forger, 'hmac', `{"trusted":"${randomBytes(4).toString('hex')}"}`, forged);
    expect(trusted.status).toBe(202);
    expect((await recorded(requestIdOf(trusted), nodes))?.sourceIp).toBe(SENDER.forger);

    // The same through a proxy the node does not trust: the node records the proxy's own address.
    const untrusted = await deliver(untrustingProxy, SENDER.forger, 'hmac', `{"untrusted":"${randomBytes(4).toString('hex')}"}`, forged);
    expect(untrusted.status).toBe(202);
    expect((await recorded(requestIdOf(untrusted), [untrustingNode]))?.sourceIp).toBe('127.0.0.1');
  });

  it.skipIf(!available)('refuses a burst beyond the limit at the proxy while the nodes stay healthy', async () => {
    const answers: ProxyAnswer[] = [];
    // 120 requests, 30 at a time: at 5 per second plus a burst of 10 (HAProxy: 60 per 10 s) most must be refused.
    for (let batch = 0; batch < 4; batch++) {
      answers.push(...(await Promise.all(Array.from({ length: 30 }, (_, index) => deliver(proxy, SENDER.burst, 'hmac', `{"burst":${batch * 30 + index},"r":"${randomBytes(4).toString('hex')}"}`)))));
    }
    const refused = answers.filter((answer) => answer.status === 429);
    const passed = answers.filter((answer) => answer.status === 202);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.length + passed.length).toBe(answers.length);
    // Refused by the proxy, not by a node: a node's answer carries a requestId.
    for (const answer of refused) expect(answer.body).not.toContain('requestId');
    for (const node of nodes) expect((await fetch(`${node.adminUrl}/readyz`)).status).toBe(200);
    // Another sender is not affected.
    expect((await deliver(proxy, SENDER.bystander, 'hmac', `{"after":"${randomBytes(4).toString('hex')}"}`)).status).toBe(202);
  });

  it.skipIf(!available)('keeps taking traffic through the other node when one is killed, losing nothing acknowledged', async () => {
    const acknowledged: string[] = [];
    /** A sender that retries what was not acknowledged, as providers do (a 429, 502 or 503 is not an answer it keeps). */
    const deliverWithRetries = async (index: number): Promise<void> => {
      const body = `{"failover":${index},"r":"${randomBytes(4).toString('hex')}"}`;
      for (let attempt = 0; attempt < 60; attempt++) {
        const answer = await deliver(proxy, SENDER.failover, 'hmac', body).catch(() => undefined);
        if (answer?.status === 202) {
          acknowledged.push(requestIdOf(answer));
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      throw new Error(`delivery ${index} was never acknowledged`);
    };
    for (let index = 0; index < 8; index++) await deliverWithRetries(index);
    const [victim] = nodes;
    victim?.child.kill('SIGKILL');
    await victim?.exited;
    for (let index = 8; index < 24; index++) await deliverWithRetries(index);

    // The killed node comes back on its own store; every acknowledged delivery is on one of the two.
    const revived = await startNode('node-a');
    nodes[0] = revived;
    for (const requestId of acknowledged) expect(await recorded(requestId, nodes), requestId).toMatchObject({ outcome: 'accepted' });
    expect(acknowledged.length).toBe(24);
  }, 180_000);
});
