import { adminApiReference } from './admin-api-reference.js';
import { configReference } from './config-reference.js';

/** Each generated document, by its path in the repository, with the function that renders it. */
export const REFERENCE_DOCS: Readonly<Record<string, () => string>> = {
  'docs/config-reference.md': configReference,
  'docs/admin-api.md': adminApiReference,
};
