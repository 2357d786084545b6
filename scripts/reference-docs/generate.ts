import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REFERENCE_DOCS } from './reference-docs.js';

/** `npm run docs:reference`: writes the generated references under docs/. */
for (const [file, render] of Object.entries(REFERENCE_DOCS)) {
  writeFileSync(join(import.meta.dirname, '..', '..', file), render());
  process.stdout.write(`wrote ${file}\n`);
}
