#!/usr/bin/env node
// Renders a template of this folder: node deploy/render-template.mjs TEMPLATE key=value … > output
// A key given several times repeats each line that uses it, once per value, and {{#}} on such a line
// is the value's 1-based position. A placeholder left without a value is an error, never an empty string.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/**
 * @param {string} template
 * @param {Record<string, string | readonly string[]>} values
 * @returns {string}
 */
export function renderTemplate(template, values) {
  const lists = new Map(Object.entries(values).map(([key, value]) => [key, typeof value === 'string' ? [value] : [...value]]));
  const missing = new Set();
  const lines = template.split('\n').flatMap((line) => {
    const keys = [...line.matchAll(/\{\{\s*([a-z0-9_]+)\s*\}\}/g)].map((match) => match[1] ?? '');
    const repeated = keys.find((key) => (lists.get(key)?.length ?? 0) > 1);
    const count = repeated === undefined ? 1 : (lists.get(repeated)?.length ?? 1);
    return Array.from({ length: count }, (_, index) =>
      line.replace(/\{\{\s*([a-z0-9_#]+)\s*\}\}/g, (whole, key) => {
        if (key === '#') return String(index + 1);
        const list = lists.get(key);
        if (!list || list.length === 0) {
          missing.add(key);
          return whole;
        }
        return list.length > 1 ? (list[index] ?? '') : (list[0] ?? '');
      }),
    );
  });
  if (missing.size > 0) throw new Error(`no value for ${[...missing].join(', ')}`);
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [file, ...pairs] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node deploy/render-template.mjs TEMPLATE key=value …\n');
    process.exit(2);
  }
  /** @type {Record<string, string[]>} */
  const values = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) {
      process.stderr.write(`not key=value: ${pair}\n`);
      process.exit(2);
    }
    (values[pair.slice(0, at)] ??= []).push(pair.slice(at + 1));
  }
  try {
    process.stdout.write(renderTemplate(readFileSync(file, 'utf8'), values));
  } catch (error) {
    process.stderr.write(`${file}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
