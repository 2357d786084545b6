import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { receiverConfig, type ReceiverConfig } from '../../../shared/contract/receiver-config.js';
import { startChild, type DemoChild } from './child-process.js';
import type { DemoIntegration } from './demo-integrations.js';
import { packageRoot } from './package-root.js';
import { redisServerAvailable, startDemoRedis, type DemoRedis } from './redis-process.js';

export const DEMO_NODE_IDS = ['demo-eu-1', 'demo-eu-2', 'demo-us-1'] as const;

export interface DemoNode {
  readonly nodeId: string;
  readonly ingressUrl: string;
  readonly adminUrl: string;
  readonly process: DemoChild;
}

export interface DemoFleet {
  readonly nodes: readonly DemoNode[];
  /** The shared Redis, when the machine has redis-server; otherwise three independent nodes. */
  readonly redis: DemoRedis | undefined;
  /** The admin token the console connects with; only its sha256 is in the nodes' config files. */
  readonly adminToken: string;
  stop(): Promise<void>;
  /** SIGKILL every process at once: the last resort of a demo that is exiting without `stop()`. */
  kill(): void;
}

/**
 * Three real receiver processes (the package's own bin, run by `node`) on free loopback ports, each with its own
 * data folder under `dir`, sharing one throwaway redis-server when there is one. Secrets reach the
 * nodes through their environment, so the config files in `dir` hold none.
 */
export async function startDemoFleet(dir: string, integrations: readonly DemoIntegration[], node: string): Promise<DemoFleet> {
  const adminToken = randomBytes(32).toString('base64url');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // On the desktop the nodes run on Electron's binary, which this makes a plain Node; Node itself ignores it.
    ELECTRON_RUN_AS_NODE: '1',
    // Nodes sharing Redis share sealed state: they must share the key that seals it.
    HOOKWARDEN_MASTER_KEY: randomBytes(32).toString('hex'),
    ...Object.fromEntries(integrations.flatMap((integration) => [[integration.secretEnv, integration.secret], ...(integration.retired ? [[integration.retired.env, integration.retired.value]] : [])])),
  };
  let redis: DemoRedis | undefined;
  const nodes: DemoNode[] = [];
  // Nodes first, then Redis: a node losing Redis while it shuts down would only log noise.
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.splice(0).map((node) => node.process.stop()));
    await redis?.process.stop();
    redis = undefined;
  };
  try {
    redis = redisServerAvailable() ? await startDemoRedis(join(dir, 'redis')) : undefined;
    for (const nodeId of DEMO_NODE_IDS) {
      nodes.push(await startNode(join(dir, nodeId), nodeConfig(nodeId, adminToken, integrations, redis?.url), env, node));
    }
    const kill = (): void => {
      for (const node of nodes) node.process.kill();
      redis?.process.kill();
    };
    return { nodes: [...nodes], redis, adminToken, stop, kill };
  } catch (error) {
    await stop();
    throw error;
  }
}

function nodeConfig(nodeId: string, adminToken: string, integrations: readonly DemoIntegration[], redisUrl: string | undefined): ReceiverConfig {
  const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
  // Parsed here so that a demo config the receiver would refuse fails in the demo, naming the key.
  return receiverConfig.parse({
    node: { id: nodeId },
    // The simulator plays the trusted load balancer in front of the nodes and says who sent each delivery.
    ingress: { listen: '127.0.0.1:0', trustedProxies: ['127.0.0.1/32'] },
    admin: { listen: '127.0.0.1:0', tokens: [{ name: 'demo-console', sha256: createHash('sha256').update(adminToken).digest('hex'), scope: 'admin' }] },
    ...(redisUrl ? { redis: { url: redisUrl, keyPrefix: 'hookwarden-demo' } } : {}),
    storage: { path: './data', sync: 'normal' },
    integrations: integrations.map((integration) => ({
      id: integration.id,
      scheme: integration.scheme,
      secrets: [
        ...(integration.retired ? [{ id: 'previous', value: `env:${integration.retired.env}`, createdAt: daysAgo(40), expiresAt: daysAgo(1) }] : []),
        { id: 'current', value: `env:${integration.secretEnv}`, createdAt: daysAgo(integration.secretAgeDays) },
      ],
      ...(integration.allowIps ? { allowIps: integration.allowIps } : {}),
      rateLimit: { perSecond: 50, burst: 100, perSource: { perSecond: 20, burst: 40 } },
      capture: { retentionDays: 1 },
    })),
  });
}

async function startNode(dir: string, config: ReceiverConfig, env: NodeJS.ProcessEnv, node: string): Promise<DemoNode> {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'receiver.yml');
  writeFileSync(file, stringify(config), { mode: 0o600 });
  let urls: { ingress: string; admin: string } | undefined;
  const child = await startChild({
    name: `receiver node ${config.node.id}`,
    command: node,
    args: [join(packageRoot(), 'bin', 'hookwarden-receiver.js'), '--config', file],
    env,
    ready: (line) => {
      urls = listeningUrls(line);
      return urls !== undefined;
    },
    timeoutMs: 30_000,
  });
  if (!urls) throw new Error('unreachable: the node was ready without its URLs');
  return { nodeId: config.node.id ?? '', ingressUrl: urls.ingress, adminUrl: urls.admin, process: child };
}

/** The node's "receiver listening" log line, which carries the ports the kernel gave it. */
function listeningUrls(line: string): { ingress: string; admin: string } | undefined {
  try {
    const entry = JSON.parse(line) as { msg?: unknown; ingress?: unknown; admin?: unknown };
    if (entry.msg === 'receiver listening' && typeof entry.ingress === 'string' && typeof entry.admin === 'string') return { ingress: entry.ingress, admin: entry.admin };
  } catch {
    // Not every line a node prints is JSON (a crash trace is not); those are kept for the error only.
  }
  return undefined;
}
