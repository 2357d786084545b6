import { isIPv4 } from 'node:net';
import type { ReceiverConfig } from '../../shared/contract/receiver-config.js';
import { ConfigError } from '../config/config-error.js';
import type { LoadedConfig } from '../config/load-config.js';
import { addressList } from '../pipeline/address-list.js';
import { parseListen } from '../http/listen.js';

/** Who may open TCP connections to one port: lists of CIDR blocks per family, or everyone. */
export interface PortRule {
  readonly name: 'ingress' | 'admin';
  readonly port: number;
  /** `any`: the port is open to every address. */
  readonly sources: 'any' | { readonly ipv4: readonly string[]; readonly ipv6: readonly string[] };
  /** Why the rule is what it is, printed as comments above it. */
  readonly notes: readonly string[];
}

/**
 * Derives the firewall from the same keys the receiver enforces, so the two cannot disagree: the
 * ingress port admits the integrations' `allowIps` (plus the trusted proxies, whose connections
 * carry the sender's address in X-Forwarded-For), the admin port admits `admin.allowFrom`.
 */
export function firewallPlan({ config, file }: LoadedConfig): PortRule[] {
  const problem = (keyPath: string, message: string): ConfigError => new ConfigError(file, [{ path: keyPath, message }]);
  const rules: PortRule[] = [ingressRule(config, problem)];
  if (config.admin) {
    rules.push({
      name: 'admin',
      port: fixedPort(config.admin.listen, 'admin.listen', problem),
      sources: split(config.admin.allowFrom, 'admin.allowFrom', problem),
      notes: ['admin API, /metrics, /healthz, /readyz: only the networks in admin.allowFrom (consoles, Prometheus).'],
    });
  }
  return rules;
}

type Problem = (keyPath: string, message: string) => ConfigError;

function ingressRule(config: ReceiverConfig, problem: Problem): PortRule {
  const port = fixedPort(config.ingress.listen, 'ingress.listen', problem);
  const open = config.integrations.filter((integration) => integration.allowIps === undefined).map((integration) => integration.id);
  if (open.length > 0) {
    return {
      name: 'ingress',
      port,
      sources: 'any',
      notes: [`ingress: OPEN TO ALL ADDRESSES, because these integrations have no allowIps: ${open.join(', ')}.`],
    };
  }
  const entries = new Set<string>();
  config.integrations.forEach((integration) => integration.allowIps?.forEach((entry) => entries.add(entry)));
  const notes = [`ingress: only the allowIps of ${config.integrations.map((integration) => integration.id).join(', ')}.`];
  if (config.ingress.trustedProxies.length > 0) {
    config.ingress.trustedProxies.forEach((entry) => entries.add(entry));
    notes.push('ingress: and the trusted proxies (ingress.trustedProxies); the receiver checks allowIps against their X-Forwarded-For.');
  }
  return { name: 'ingress', port, sources: split([...entries], 'integrations[].allowIps, ingress.trustedProxies', problem), notes };
}

function fixedPort(listen: string, keyPath: string, problem: Problem): number {
  const { port } = parseListen(listen);
  if (port === 0) throw problem(keyPath, 'port 0 picks a random port at start; a firewall needs a fixed one');
  return port;
}

/** Validates every entry (naming a bad one) and splits them by address family. */
function split(entries: readonly string[], keyPath: string, problem: Problem): { ipv4: string[]; ipv6: string[] } {
  try {
    addressList(entries);
  } catch (error) {
    throw problem(keyPath, error instanceof Error ? error.message : String(error));
  }
  const ipv4 = entries.filter((entry) => isIPv4(entry.split('/')[0] ?? ''));
  return { ipv4, ipv6: entries.filter((entry) => !ipv4.includes(entry)) };
}
