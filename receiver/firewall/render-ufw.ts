import type { PortRule } from './firewall-plan.js';

/**
 * A shell script of `ufw` commands. ufw applies the first matching rule, so each port's allows come
 * before its deny; the deny makes the port closed even where ufw's default incoming policy is allow.
 */
export function renderUfw(rules: readonly PortRule[], header: readonly string[]): string {
  const lines = ['#!/bin/sh', ...header.map((line) => `# ${line}`), 'set -e'];
  for (const rule of rules) {
    const comment = `comment 'hookwarden ${rule.name}'`;
    lines.push('', ...rule.notes.map((note) => `# ${note}`));
    if (rule.sources === 'any') {
      lines.push(`ufw allow proto tcp from any to any port ${rule.port} ${comment}`);
      continue;
    }
    for (const source of [...rule.sources.ipv4, ...rule.sources.ipv6]) lines.push(`ufw allow proto tcp from ${source} to any port ${rule.port} ${comment}`);
    lines.push(`ufw deny proto tcp from any to any port ${rule.port} ${comment}`);
  }
  lines.push('');
  return lines.join('\n');
}
