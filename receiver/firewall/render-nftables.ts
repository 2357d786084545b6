import type { PortRule } from './firewall-plan.js';

/**
 * An nftables script for `nft -f`. It owns one table, `inet hookwarden`, and replaces it whole on
 * every load; its chain accepts by default, so it only ever narrows the receiver's own ports and
 * leaves everything else (SSH, other services) to the host's firewall.
 */
export function renderNftables(rules: readonly PortRule[], header: readonly string[]): string {
  const lines = ['#!/usr/sbin/nft -f', ...header.map((line) => `# ${line}`), '', 'table inet hookwarden', 'delete table inet hookwarden', '', 'table inet hookwarden {'];
  lines.push('  chain input {', '    type filter hook input priority filter; policy accept;');
  for (const rule of rules) {
    lines.push('', ...rule.notes.map((note) => `    # ${note}`));
    if (rule.sources === 'any') {
      lines.push(`    tcp dport ${rule.port} accept`);
      continue;
    }
    if (rule.sources.ipv4.length > 0) lines.push(`    tcp dport ${rule.port} ip saddr { ${rule.sources.ipv4.join(', ')} } accept`);
    if (rule.sources.ipv6.length > 0) lines.push(`    tcp dport ${rule.port} ip6 saddr { ${rule.sources.ipv6.join(', ')} } accept`);
    lines.push(`    tcp dport ${rule.port} counter drop`);
  }
  lines.push('  }', '}', '');
  return lines.join('\n');
}
