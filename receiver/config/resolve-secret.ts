import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Resolves a secret reference: `env:NAME`, `file:PATH` or a literal. Errors name the reference,
 * never the value. A file's one final newline is dropped (POSIX text files end with one); any
 * other whitespace is kept, so that the receiver can diagnose it instead of silently guessing.
 */
export function resolveSecret(reference: string, baseDir: string, env: NodeJS.ProcessEnv = process.env): string {
  if (reference.startsWith('env:')) {
    const name = reference.slice(4);
    const value = env[name];
    if (value === undefined || value === '') throw new Error(`environment variable ${name} is not set`);
    return value;
  }
  if (reference.startsWith('file:')) {
    const path = resolve(baseDir, reference.slice(5));
    let value: string;
    try {
      value = readFileSync(path, 'utf8');
    } catch (error) {
      throw new Error(`cannot read secret file ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    value = value.replace(/\r?\n$/, '');
    if (value === '') throw new Error(`secret file ${path} is empty`);
    return value;
  }
  return reference;
}
