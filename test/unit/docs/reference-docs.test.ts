import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REFERENCE_DOCS } from '../../../scripts/reference-docs/reference-docs.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** The references are generated from the zod contracts; a committed copy that differs has drifted. */
describe('generated reference docs', () => {
  for (const [file, render] of Object.entries(REFERENCE_DOCS)) {
    it(`${file} matches the contract (run \`npm run docs:reference\` after changing it)`, () => {
      expect(readFileSync(join(ROOT, file), 'utf8')).toBe(render());
    });
  }

  it('names every key of the config in the config reference', () => {
    const reference = readFileSync(join(ROOT, 'docs', 'config-reference.md'), 'utf8');
    for (const key of ['`admin.tokens[].sha256`', '`integrations[].secrets[].value`', '`integrations[].hmac.signedContent`', '`redis.url`', '`downstream.type`']) expect(reference).toContain(key);
  });
});
