import { parseArgs } from 'node:util';
import { ConfigError } from './config/config-error.js';
import { loadConfig } from './config/load-config.js';
import { buildIntegrations, startReceiver } from './engine.js';
import { errorText, jsonLogger } from './observability/logger.js';
import { FIREWALL_KINDS, firewallRules, isFirewallKind } from './firewall/firewall.js';

const USAGE = `usage: hookwarden-receiver --config FILE [--check | --firewall nftables|ufw]

  --config FILE        the receiver's YAML config (see examples/receiver.yml)
  --check              validate the config, resolve its secrets and exit
  --firewall KIND      print nftables or ufw rules admitting the ingress port only from the
                       integrations' allowIps and the admin port only from admin.allowFrom, and exit
`;

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({ options: { config: { type: 'string' }, check: { type: 'boolean' }, firewall: { type: 'string' }, help: { type: 'boolean' } } }).values;
  } catch (error) {
    process.stderr.write(`${errorText(error)}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!args.config) {
    process.stderr.write(`missing --config\n${USAGE}`);
    return 2;
  }

  if (args.firewall !== undefined && !isFirewallKind(args.firewall)) {
    process.stderr.write(`--firewall must be one of ${FIREWALL_KINDS.join(', ')}, not "${args.firewall}"\n${USAGE}`);
    return 2;
  }

  const logger = jsonLogger();
  const loaded = loadConfig(args.config);
  if (args.firewall !== undefined) {
    process.stdout.write(firewallRules(args.firewall, loaded));
    return 0;
  }
  if (args.check) {
    buildIntegrations(loaded, process.env, Date.now());
    process.stdout.write(`${loaded.file}: ok (${loaded.config.integrations.length} integrations)\n`);
    return 0;
  }
  const engine = await startReceiver(loaded, { logger });
  logger.info('receiver listening', {
    node: engine.nodeId,
    ingress: engine.ingressUrl,
    admin: engine.adminUrl,
    integrations: engine.integrations.map((integration) => ({ id: integration.id, scheme: integration.schemeName, path: integration.path })),
  });

  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      logger.info('shutting down', { signal });
      resolve();
    };
    process.once('SIGTERM', stop).once('SIGINT', stop);
  });
  await engine.close();
  logger.info('stopped');
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(error instanceof ConfigError ? `${error.message}\n` : `hookwarden-receiver: ${errorText(error)}\n`);
    // A start that failed half-way may leave sockets or timers open; nothing of it is worth waiting for.
    process.exit(1);
  },
);
