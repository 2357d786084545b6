import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { receiverConfig, type ReceiverConfig } from '../../shared/contract/receiver-config.js';
import { ConfigError, formatKeyPath } from './config-error.js';
import { forbiddenStorageReason } from './storage-location.js';

export interface LoadedConfig {
  readonly file: string;
  /** Folder that relative paths in the file (secrets, schemas, JWKS, storage) are resolved against. */
  readonly baseDir: string;
  readonly nodeId: string;
  readonly config: ReceiverConfig;
}

/** Reads, parses and validates the config file; every problem found is reported at once. */
export function loadConfig(file: string): LoadedConfig {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, [{ path: '', message: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})` }]);
  }
  return parseConfig(text, path);
}

export function parseConfig(text: string, file: string): LoadedConfig {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      file,
      document.errors.map((error) => ({
        path: error.linePos ? `line ${error.linePos[0].line}, column ${error.linePos[0].col}` : '',
        message: `YAML: ${error.message.split('\n')[0] ?? error.code}`,
      })),
    );
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 50 });
  } catch (error) {
    // Aliases are resolved here: an undefined anchor or an alias bomb surfaces now, not while parsing.
    throw new ConfigError(file, [{ path: '', message: `YAML: ${error instanceof Error ? error.message : String(error)}` }]);
  }
  const parsed = receiverConfig.safeParse(value ?? {});
  if (!parsed.success) {
    throw new ConfigError(
      file,
      parsed.error.issues.map((issue) => ({ path: formatKeyPath(issue.path), message: issue.message })),
    );
  }
  const storageReason = forbiddenStorageReason(resolve(dirname(file), parsed.data.storage.path));
  if (storageReason !== undefined) throw new ConfigError(file, [{ path: 'storage.path', message: storageReason }]);
  return {
    file,
    baseDir: dirname(file),
    nodeId: parsed.data.node.id ?? hostname(),
    config: parsed.data,
  };
}
