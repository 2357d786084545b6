import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderTemplate } from '../../deploy/render-template.mjs';

const SCRIPT = join(import.meta.dirname, '..', '..', 'deploy', 'render-template.mjs');

describe('deploy/render-template.mjs', () => {
  it('repeats a line once per value of a repeated key, numbering it with {{#}}', () => {
    expect(renderTemplate('upstream {\n  server node{{#}} {{upstream}} check;\n}\nlisten {{listen}};', { upstream: ['10.0.0.1:8080', '10.0.0.2:8080'], listen: '443' })).toBe(
      'upstream {\n  server node1 10.0.0.1:8080 check;\n  server node2 10.0.0.2:8080 check;\n}\nlisten 443;',
    );
  });

  it('refuses to leave a placeholder without a value, naming every one', () => {
    expect(() => renderTemplate('a {{rate_10s}} b {{listen}}', { listen: '1' })).toThrow('no value for rate_10s');
  });

  it('runs as a command, and names the template and the missing keys', () => {
    const template = join(import.meta.dirname, '..', '..', 'deploy', 'nginx', 'hookwarden.conf.template');
    const result = spawnSync(process.execPath, [SCRIPT, template, 'listen=443'], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${template}: no value for`);
    expect(result.stderr).toContain('upstream');
  });
});
