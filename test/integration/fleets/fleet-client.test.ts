import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient } from '../../../electron/main/services/fleets/admin-client.js';
import { AdminApiError } from '../../../electron/main/services/fleets/admin-error.js';
import { FleetConnection, type FleetConnectionOptions } from '../../../electron/main/services/fleets/fleet-connection.js';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js';
import type { TestReceiver } from '../../helpers/test-receiver.js';
import { deliver, freePort, makePki, startNode, TOKENS, type Pki } from './fleet-fixture.js';

/** The fleet client against real receiver nodes on loopback, over TLS with a PKI made by the test. */

let pki: Pki;
const nodes: TestReceiver[] = [];
beforeAll(() => {
  pki = makePki();
});
afterAll(() => pki.remove());
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((node) => node.close()));
});

async function tlsNode(kind: 'ca' | 'self-signed' = 'ca'): Promise<TestReceiver> {
  const node = await startNode({ tls: kind === 'ca' ? pki.server : pki.selfSigned });
  nodes.push(node);
  return node;
}

const adminUrl = (node: TestReceiver): string => node.engine.adminUrl ?? '';
const fast = { connectTimeoutMs: 2_000, readTimeoutMs: 5_000, retries: 1, retryBackoff: { initialMs: 20, maxMs: 50 } };

function fleet(urls: string[], options: Partial<FleetConnectionOptions> = {}): FleetConnection {
  return new FleetConnection({ id: 'prod', name: 'Production', nodes: urls.map((url) => ({ url })), token: TOKENS.admin, ca: pki.ca, client: fast, ...options });
}

async function downUrl(scheme = 'https'): Promise<string> {
  return `${scheme}://127.0.0.1:${await freePort()}`;
}

describe('TLS and token checks (fleets.test)', () => {
  it('connects with the pinned CA and reports version, node id, health and the token\'s scope as the node tells it', async () => {
    const node = await tlsNode();
    const [result] = await fleet([adminUrl(node)]).test();
    expect(result).toMatchObject({ url: adminUrl(node), reachable: true, tls: 'ok', tokenOk: true, version: expect.any(String), nodeId: node.engine.nodeId, health: { state: 'up', problems: [] } });
    expect(result?.failure).toBeUndefined();
    // From GET /whoami; a node without it (before the admin API grows it) leaves the scope unknown, never guessed.
    expect(result?.scope).toBeOneOf([undefined, 'admin']);
  });

  it('reports a node whose certificate is not from the pinned CA as a TLS failure, and sends it nothing', async () => {
    const node = await tlsNode();
    const auditBefore = node.engine.queries.audit().entries.length;
    const [result] = await fleet([adminUrl(node)], { ca: pki.otherCa }).test();
    expect(result).toMatchObject({ reachable: true, tls: 'failed', tokenOk: false });
    expect(result?.error).toMatch(/^TLS failed for https:\/\/127\.0\.0\.1:\d+: the certificate is not signed by the pinned CA$/);
    // Not a refused token: the request never reached the node.
    expect(node.engine.queries.audit().entries.length).toBe(auditBefore);
  });

  it('without a pin, refuses a certificate the system store does not trust', async () => {
    const node = await tlsNode();
    const [result] = await fleet([adminUrl(node)], { ca: undefined }).test();
    expect(result).toMatchObject({ tls: 'failed', tokenOk: false });
    expect(result?.error).toMatch(/not signed by a CA this system trusts/);
  });

  it('accepts a self-signed certificate with the right fingerprint pin (either spelling)', async () => {
    const node = await tlsNode('self-signed');
    for (const fingerprint of [pki.selfSigned.fingerprint, pki.selfSigned.fingerprint.replace(/:/g, '').toLowerCase()]) {
      const [result] = await fleet([adminUrl(node)], { ca: undefined, fingerprint }).test();
      expect(result).toMatchObject({ reachable: true, tls: 'ok', tokenOk: true });
    }
  });

  it('refuses a certificate that is not the pinned one, before sending the token', async () => {
    const node = await tlsNode('self-signed');
    const auditBefore = node.engine.queries.audit().entries.length;
    const [result] = await fleet([adminUrl(node)], { ca: undefined, fingerprint: pki.server.fingerprint }).test();
    expect(result).toMatchObject({ reachable: true, tls: 'failed', tokenOk: false });
    expect(result?.error).toMatch(/certificate fingerprint does not match the pinned one/);
    expect(node.engine.queries.audit().entries.length).toBe(auditBefore);

    const client = new AdminClient({ url: adminUrl(node), token: TOKENS.admin, fingerprint: pki.server.fingerprint, ...fast });
    const error = await client.node().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AdminApiError);
    expect(error).toMatchObject({ code: 'tls_failed', details: { kind: 'tls', tlsCheck: 'fingerprint', requestSent: false } });
  });

  it('with a pinned CA and a pin, needs both: the right CA and the wrong pin is refused', async () => {
    const node = await tlsNode();
    const [right] = await fleet([adminUrl(node)], { fingerprint: pki.server.fingerprint }).test();
    expect(right).toMatchObject({ tls: 'ok', tokenOk: true });
    const [wrong] = await fleet([adminUrl(node)], { fingerprint: pki.selfSigned.fingerprint }).test();
    expect(wrong).toMatchObject({ tls: 'failed', tokenOk: false });
    expect(wrong?.error).toMatch(/certificate fingerprint does not match the pinned one/);
  });

  it('reports no token and a wrong token as tokenOk false, in plain words that never hold the token', async () => {
    const node = await tlsNode();
    const [none] = await fleet([adminUrl(node)], { token: undefined }).test();
    expect(none).toMatchObject({ reachable: true, tls: 'ok', tokenOk: false });
    expect(none?.error).toMatch(/requires an admin token and none is set/);

    const wrongToken = randomBytes(32).toString('base64url');
    const [wrong] = await fleet([adminUrl(node)], { token: wrongToken }).test();
    expect(wrong).toMatchObject({ reachable: true, tls: 'ok', tokenOk: false, failure: 'token_refused' });
    expect(wrong?.error).toMatch(/refused the admin token \(401/);
    const kill = await fleet([adminUrl(node)], { token: wrongToken }).fanOut({ kind: 'kill', integrationId: 'pay', mode: 'reject', reason: 'test' });
    for (const text of [JSON.stringify(wrong), JSON.stringify(kill)]) {
      expect(text).not.toContain(wrongToken);
      expect(text).not.toContain(TOKENS.admin);
    }
  });

  it('reports per node over a fleet of two where one is down', async () => {
    const node = await tlsNode();
    const down = await downUrl();
    const results = await fleet([adminUrl(node), down]).test();
    expect(results[0]).toMatchObject({ url: adminUrl(node), reachable: true, tls: 'ok', tokenOk: true });
    expect(results[1]).toMatchObject({ url: down, reachable: false, tls: 'failed', tokenOk: false });
    expect(results[1]?.error).toMatch(/^cannot reach https:\/\/127\.0\.0\.1:\d+: connection refused/);
  });

  it('says plain-http for an http:// node', async () => {
    const node = await startNode();
    nodes.push(node);
    const [result] = await fleet([adminUrl(node)], { ca: undefined }).test();
    expect(result).toMatchObject({ reachable: true, tls: 'plain-http', tokenOk: true });
  });

  it('fails two nodes that answer with the same node id (both left node.id to the host name), naming the other', async () => {
    const pair = [await startNode(), await startNode()];
    nodes.push(...pair);
    const results = await fleet(pair.map(adminUrl), { ca: undefined }).test();
    expect(pair[0]!.engine.nodeId).toBe(pair[1]!.engine.nodeId);
    for (const [index, result] of results.entries()) {
      expect(result).toMatchObject({ reachable: true, tokenOk: true, failure: 'duplicate_node_id' });
      expect(result.error).toBe(`node id "${pair[0]!.engine.nodeId}" is also the id of ${adminUrl(pair[1 - index]!)}: give every node of a fleet its own node.id`);
    }
  });
});

describe('fan-out of kill switches and secrets', () => {
  it('kills and releases on two independent nodes: both ok, both then answer 503, then 202 again', async () => {
    const [a, b] = [await tlsNode(), await tlsNode()];
    const connection = fleet([adminUrl(a!), adminUrl(b!)]);
    const killed = await connection.fanOut({ kind: 'kill', integrationId: 'pay', mode: 'reject', reason: 'incident 42' });
    expect(killed).toEqual([{ url: adminUrl(a!), ok: true }, { url: adminUrl(b!), ok: true }]);
    for (const node of [a!, b!]) expect((await deliver(node.engine.ingressUrl)).status).toBe(503);

    const released = await connection.fanOut({ kind: 'release', integrationId: 'pay', reason: 'resolved' });
    expect(released).toEqual([{ url: adminUrl(a!), ok: true }, { url: adminUrl(b!), ok: true }]);
    for (const node of [a!, b!]) expect((await deliver(node.engine.ingressUrl)).status).toBe(202);
    // Releasing again finds every node already released: that is success, not an error.
    expect((await connection.fanOut({ kind: 'release', integrationId: 'pay', reason: 'again' })).every((result) => result.ok)).toBe(true);
  });

  it('reports a partial failure: the live node is killed, the down one is named with its error', async () => {
    const node = await tlsNode();
    const down = await downUrl();
    const results = await fleet([down, adminUrl(node)]).fanOut({ kind: 'kill', integrationId: 'pay', mode: 'reject', reason: 'partial' });
    expect(results[0]).toMatchObject({ url: down, ok: false, error: expect.stringMatching(/^not sent: cannot reach/) });
    expect(results[1]).toEqual({ url: adminUrl(node), ok: true });
    expect((await deliver(node.engine.ingressUrl)).status).toBe(503);
  });

  it('retries on the nodes it is told to only, and refuses a URL that is not the fleet\'s', async () => {
    const [a, b] = [await tlsNode(), await tlsNode()];
    const connection = fleet([adminUrl(a!), adminUrl(b!)]);
    const results = await connection.fanOut({ kind: 'kill', integrationId: 'pay', mode: 'reject', reason: 'only b' }, [adminUrl(b!)]);
    expect(results).toEqual([{ url: adminUrl(b!), ok: true }]);
    expect((await deliver(a!.engine.ingressUrl)).status).not.toBe(503);
    expect((await deliver(b!.engine.ingressUrl)).status).toBe(503);
    await expect(connection.fanOut({ kind: 'release', integrationId: 'pay', reason: 'x' }, ['https://elsewhere:9090'])).rejects.toThrow(/is not a node of fleet/);
  });

  it('names what a test found: unreachable, with no guessed scope', async () => {
    const [result] = await fleet([await downUrl()]).test();
    expect(result).toMatchObject({ reachable: false, failure: 'unreachable' });
    expect(result?.scope).toBeUndefined();
  });

  it('reports a token without the operate scope per node as a scope problem', async () => {
    const [a, b] = [await tlsNode(), await tlsNode()];
    const results = await fleet([adminUrl(a!), adminUrl(b!)], { token: TOKENS.read }).fanOut({ kind: 'kill', integrationId: 'pay', mode: 'hold', reason: 'x' });
    for (const result of results) {
      expect(result).toMatchObject({ ok: false, code: 'scope_insufficient' });
      expect(result.error).toMatch(/the token's scope is not enough for POST \/admin\/v1\/integrations\/pay\/kill/);
    }
    expect(results[0]?.error).not.toContain(TOKENS.read);
  });

  it('adds and retires a secret on every node, confirmed by its fingerprint', async () => {
    const [a, b] = [await tlsNode(), await tlsNode()];
    const connection = fleet([adminUrl(a!), adminUrl(b!)]);
    const secret = `whsec_${randomBytes(24).toString('hex')}`;
    const added = await connection.fanOut({ kind: 'addSecret', integrationId: 'pay', secretId: 's2', secret, overlapSeconds: 60 });
    expect(added.every((result) => result.ok)).toBe(true);
    const [entry] = await connection.integrations();
    expect(entry?.nodes.map((node) => node.secretIds)).toEqual([
      ['s1', 's2'],
      ['s1', 's2'],
    ]);
    const retired = await connection.fanOut({ kind: 'retireSecret', integrationId: 'pay', secretId: 's1' });
    expect(retired.every((result) => result.ok)).toBe(true);
    const unknown = await connection.fanOut({ kind: 'kill', integrationId: 'nope', mode: 'reject', reason: 'x' });
    expect(unknown.map((result) => result.error)).toEqual([expect.stringMatching(/404 integration_not_found: no integration "nope"/), expect.stringMatching(/404 integration_not_found/)]);
  });
});

describe('nodes sharing one Redis', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('sends the change once and confirms it on the other nodes by polling', async () => {
    const shared = { redis: { url: redis.url, keyPrefix: `t${randomBytes(4).toString('hex')}` }, env: { HOOKWARDEN_MASTER_KEY: randomBytes(32).toString('hex') } };
    const [a, b] = [await startNode({ tls: pki.server, ...shared }), await startNode({ tls: pki.server, ...shared })];
    nodes.push(a, b);
    const connection = fleet([adminUrl(a), adminUrl(b)]);
    const infos = await connection.nodeInfo();
    const states = infos.map((info) => ('info' in info ? info.info.sharedState : undefined));
    expect(states[0]).toMatch(/^[0-9a-f]{16}$/);
    expect(states[1]).toBe(states[0]);

    const results = await connection.fanOut({ kind: 'kill', integrationId: 'pay', mode: 'reject', reason: 'shared incident' });
    expect(results).toEqual([{ url: adminUrl(a), ok: true }, { url: adminUrl(b), ok: true }]);
    const engaged = [a, b].map((node) => node.engine.queries.audit().entries.filter((entry) => entry.action === 'kill.engage').length);
    expect(engaged).toEqual([1, 0]);
    for (const node of [a, b]) expect((await deliver(node.engine.ingressUrl)).status).toBe(503);
  });

  it('sends through the next node when the first cannot be reached, and reports the first', async () => {
    const shared = { redis: { url: redis.url, keyPrefix: `t${randomBytes(4).toString('hex')}` }, env: { HOOKWARDEN_MASTER_KEY: randomBytes(32).toString('hex') } };
    const [a, b] = [await startNode({ tls: pki.server, ...shared }), await startNode({ tls: pki.server, ...shared })];
    nodes.push(a, b);
    const results = await fleet([adminUrl(a), adminUrl(b), await downUrl()]).fanOut({ kind: 'kill', integrationId: 'pay', mode: 'hold', reason: 'hold it' });
    expect(results.map((result) => result.ok)).toEqual([true, true, false]);
    expect(results[2]?.error).toMatch(/^not sent: cannot reach/);
  });
});

describe('reads merged across nodes', () => {
  it('merges inventories and shows drift between nodes', async () => {
    const [a, b] = [await tlsNode(), await tlsNode()];
    const connection = fleet([adminUrl(a!), adminUrl(b!), await downUrl()]);
    // Only node A is killed: the nodes disagree.
    await new AdminClient({ url: adminUrl(a!), token: TOKENS.operate, ca: pki.ca }).kill('pay', { mode: 'reject', reason: 'only a' });
    await deliver(b!.engine.ingressUrl);
    const [entry] = await connection.integrations();
    expect(entry).toMatchObject({ fleetId: 'prod', id: 'pay', status: 'killed' });
    expect(entry?.nodes.map((node) => node.status)).toEqual(['killed', 'active', 'unreachable']);
    expect(entry?.counts24h.total).toBe(1);
    expect(entry?.warnings.join('\n')).toMatch(/nodes disagree on the status/);
    expect(entry?.warnings.join('\n')).toMatch(/no answer from https:\/\/127\.0\.0\.1:\d+: cannot reach/);
  });

  it('pages the merged delivery log newest first with a combined cursor, and finds each delivery and its capture', async () => {
    const [a, b] = [await tlsNode(), await tlsNode()];
    const connection = fleet([adminUrl(a!), adminUrl(b!)]);
    const sent: { requestId: string; node: TestReceiver }[] = [];
    for (let index = 0; index < 11; index++) {
      const node = index % 3 === 0 ? a! : b!;
      const answer = await deliver(node.engine.ingressUrl);
      sent.push({ requestId: answer.json.requestId ?? '', node });
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    const listed: string[] = [];
    const times: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await connection.deliveries({ limit: 4, ...(cursor ? { cursor } : {}) });
      expect(page.errors).toEqual([]);
      listed.push(...page.deliveries.map((delivery) => delivery.requestId));
      times.push(...page.deliveries.map((delivery) => Date.parse(delivery.receivedAt)));
      for (const delivery of page.deliveries) expect(delivery.nodeUrl).toBe(adminUrl(sent.find((entry) => entry.requestId === delivery.requestId)!.node));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor && pages < 10);
    expect(listed).toEqual(sent.map((entry) => entry.requestId).reverse());
    expect([...times].sort((x, y) => y - x)).toEqual(times);
    expect(pages).toBe(3);

    const target = sent[4]!;
    const detail = await connection.delivery(target.requestId);
    expect(detail).toMatchObject({ requestId: target.requestId, fleetId: 'prod', nodeUrl: adminUrl(target.node), outcome: 'accepted' });
    const raw = await connection.raw(target.requestId);
    expect(raw.nodeUrl).toBe(adminUrl(target.node));
    expect(raw.raw.requestId).toBe(target.requestId);
    await expect(connection.delivery('no-such-request')).rejects.toMatchObject({ code: 'not_found' });
    await expect(connection.deliveries({ cursor: 'not-a-cursor' })).rejects.toMatchObject({ code: 'invalid_cursor' });
  });

  it('keeps a failed node in the cursor and names it; answers stats and audit per node', async () => {
    const node = await tlsNode();
    await deliver(node.engine.ingressUrl);
    const down = await downUrl();
    const connection = fleet([adminUrl(node), down]);
    const page = await connection.deliveries({ limit: 10 });
    expect(page.deliveries).toHaveLength(1);
    expect(page.errors).toEqual([{ url: down, error: expect.stringMatching(/cannot reach/) }]);
    expect(page.nextCursor).not.toBeNull();

    const stats = await connection.stats();
    expect(stats[0]).toMatchObject({ url: adminUrl(node), stats: { nodeId: node.engine.nodeId } });
    expect(stats[1]).toMatchObject({ url: down, error: expect.stringMatching(/cannot reach/) });
    const audit = await connection.audit();
    expect(audit[0]).toMatchObject({ audit: { chain: { verified: true } } });
    expect(audit[1]).toHaveProperty('error');

    await expect(fleet([down]).deliveries()).rejects.toMatchObject({ code: 'fleet_unreachable' });
  });
});
