import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseConfig } from '../../receiver/config/load-config.js';
import { firewallRules } from '../../receiver/firewall/firewall.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'hookwarden-receiver.js');
const NFT = '/usr/sbin/nft';
const dir = mkdtempSync(join(tmpdir(), 'hookwarden-firewall-'));

const stripe = { id: 'stripe', scheme: 'stripe', secrets: [{ id: 's1', value: 'whsec_x' }], allowIps: ['3.18.12.63/32', '3.130.192.231'] };
const github = { id: 'github', scheme: 'github', secrets: [{ id: 'g1', value: 'x' }], allowIps: ['192.30.252.0/22', '2a0a:a440::/29'] };
const restricted = {
  ingress: { listen: '0.0.0.0:8443', trustedProxies: ['10.0.0.5/32'] },
  admin: { listen: '0.0.0.0:9443', allowFrom: ['10.20.0.0/16', 'fd00:20::/64'] },
  integrations: [stripe, github],
};

function rules(kind: 'nftables' | 'ufw', config: Record<string, unknown>): string {
  return firewallRules(kind, parseConfig(stringify(config), join(dir, 'receiver.yml')));
}

/** `nft -c` parses and checks the script against the kernel without applying it; it needs CAP_NET_ADMIN and nf_tables. */
function nftCheck(script: string): { status: number | null; output: string } {
  const file = join(dir, `check-${Math.random().toString(36).slice(2)}.nft`);
  writeFileSync(file, script);
  const result = spawnSync(NFT, ['-c', '-f', file], { encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
const nftProbe = existsSync(NFT) ? nftCheck('table inet hookwarden_probe {}\n') : { status: null, output: `${NFT} is not installed` };
const nftWorks = nftProbe.status === 0;
if (!nftWorks) console.warn(`skipping nft -c checks: ${nftProbe.output.trim()}`);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--firewall nftables', () => {
  it('admits the ingress port only from allowIps and trusted proxies, the admin port only from admin.allowFrom', () => {
    const script = rules('nftables', restricted);
    expect(script).toContain('tcp dport 8443 ip saddr { 3.18.12.63/32, 3.130.192.231, 192.30.252.0/22, 10.0.0.5/32 } accept');
    expect(script).toContain('tcp dport 8443 ip6 saddr { 2a0a:a440::/29 } accept');
    expect(script).toContain('tcp dport 8443 counter drop');
    expect(script).toContain('tcp dport 9443 ip saddr { 10.20.0.0/16 } accept');
    expect(script).toContain('tcp dport 9443 ip6 saddr { fd00:20::/64 } accept');
    expect(script).toContain('tcp dport 9443 counter drop');
    expect(script).not.toContain('OPEN TO ALL');
  });

  it.skipIf(!nftWorks)('is accepted by nft -c, which rejects a broken script', () => {
    const script = rules('nftables', restricted);
    const checked = nftCheck(script);
    expect(checked.status, checked.output).toBe(0);
    // The check is real: a typo fails it.
    expect(nftCheck(script.replace('ip saddr', 'ip sadr')).status).not.toBe(0);
  });

  it.skipIf(!nftWorks)('is accepted by nft -c for the open and the default-admin cases too', () => {
    const open = rules('nftables', { ingress: { listen: '[::]:8080' }, admin: { listen: '127.0.0.1:9090' }, integrations: [stripe, { ...github, allowIps: undefined }] });
    const checked = nftCheck(open);
    expect(checked.status, checked.output).toBe(0);
  });

  it('says in a comment that an integration without allowIps opens the port to all, and opens it', () => {
    const script = rules('nftables', { ingress: { listen: '0.0.0.0:8080' }, integrations: [stripe, { ...github, allowIps: undefined }] });
    expect(script).toContain('# ingress: OPEN TO ALL ADDRESSES, because these integrations have no allowIps: github.');
    expect(script).toContain('tcp dport 8080 accept');
    expect(script).not.toContain('tcp dport 8080 counter drop');
  });

  it('admits the admin port from loopback only by default, and has no admin rule without an admin listener', () => {
    const withAdmin = rules('nftables', { ingress: { listen: '0.0.0.0:8080' }, admin: { listen: '0.0.0.0:9090' }, integrations: [stripe] });
    expect(withAdmin).toContain('tcp dport 9090 ip saddr { 127.0.0.1/32 } accept');
    expect(withAdmin).toContain('tcp dport 9090 ip6 saddr { ::1/128 } accept');
    expect(rules('nftables', { ingress: { listen: '0.0.0.0:8080' }, integrations: [stripe] })).not.toContain('9090');
  });
});

describe('--firewall ufw', () => {
  it('allows each source before denying the rest of the port', () => {
    const lines = rules('ufw', restricted).split('\n').filter((line) => line.startsWith('ufw '));
    expect(lines).toEqual([
      "ufw allow proto tcp from 3.18.12.63/32 to any port 8443 comment 'hookwarden ingress'",
      "ufw allow proto tcp from 3.130.192.231 to any port 8443 comment 'hookwarden ingress'",
      "ufw allow proto tcp from 192.30.252.0/22 to any port 8443 comment 'hookwarden ingress'",
      "ufw allow proto tcp from 10.0.0.5/32 to any port 8443 comment 'hookwarden ingress'",
      "ufw allow proto tcp from 2a0a:a440::/29 to any port 8443 comment 'hookwarden ingress'",
      "ufw deny proto tcp from any to any port 8443 comment 'hookwarden ingress'",
      "ufw allow proto tcp from 10.20.0.0/16 to any port 9443 comment 'hookwarden admin'",
      "ufw allow proto tcp from fd00:20::/64 to any port 9443 comment 'hookwarden admin'",
      "ufw deny proto tcp from any to any port 9443 comment 'hookwarden admin'",
    ]);
  });

  it('opens the ingress port to all, saying why, when an integration has no allowIps', () => {
    const script = rules('ufw', { ingress: { listen: '0.0.0.0:8080' }, integrations: [{ ...stripe, allowIps: undefined }] });
    expect(script).toContain('# ingress: OPEN TO ALL ADDRESSES, because these integrations have no allowIps: stripe.');
    expect(script).toContain("ufw allow proto tcp from any to any port 8080 comment 'hookwarden ingress'");
  });
});

describe('hookwarden-receiver --firewall (the built command)', () => {
  const run = (config: Record<string, unknown>, ...args: string[]) => {
    const file = join(dir, `cli-${Math.random().toString(36).slice(2)}.yml`);
    writeFileSync(file, stringify(config));
    return { ...spawnSync(process.execPath, [BIN, '--config', file, ...args], { encoding: 'utf8', timeout: 20_000 }), file };
  };

  it('prints the rules and exits 0', () => {
    const result = run(restricted, '--firewall', 'nftables');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('tcp dport 8443 counter drop');
  });

  it('refuses an unknown firewall kind with exit 2, naming the choices', () => {
    const result = run(restricted, '--firewall', 'pf');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--firewall must be one of nftables, ufw, not "pf"');
  });

  it('names the key of a prefix length out of range, and of a listener on port 0', () => {
    const badPrefix = run({ ...restricted, admin: { listen: '0.0.0.0:9443', allowFrom: ['10.0.0.0/33'] } }, '--firewall', 'ufw');
    expect(badPrefix.status).toBe(1);
    expect(badPrefix.stderr).toContain(badPrefix.file);
    expect(badPrefix.stderr).toContain('admin.allowFrom: "10.0.0.0/33" has a prefix length outside 0-32');
    const randomPort = run({ ...restricted, ingress: { listen: '0.0.0.0:0' } }, '--firewall', 'nftables');
    expect(randomPort.status).toBe(1);
    expect(randomPort.stderr).toContain('ingress.listen: port 0 picks a random port at start; a firewall needs a fixed one');
  });

  it('names a malformed admin.allowFrom entry through the config schema', () => {
    const result = run({ ...restricted, admin: { listen: '0.0.0.0:9443', allowFrom: ['office'] } }, '--firewall', 'nftables');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('admin.allowFrom[0]: must be an IP address or CIDR block');
  });
});
