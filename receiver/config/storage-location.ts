import type Database from 'better-sqlite3';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { openDatabase } from '../store/sqlite/open-database.js';
import { ConfigError } from './config-error.js';
import type { LoadedConfig } from './load-config.js';

/** Kernel and device file systems: a store there hangs (`/proc`), fails oddly or writes to hardware. */
const FORBIDDEN_ROOTS = ['/proc', '/sys', '/dev'];

/** Why `directory` cannot hold the store, or undefined. Symbolic links are followed as far as the path exists. */
export function forbiddenStorageReason(directory: string): string | undefined {
  let existing = directory;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  const real = resolve(realpathOrSelf(existing), directory.slice(existing.length).replace(/^[/\\]+/, ''));
  const root = FORBIDDEN_ROOTS.find((forbidden) => real === forbidden || real.startsWith(`${forbidden}${sep}`));
  return root === undefined ? undefined : `${directory} is under ${root}, a kernel or device file system; choose a folder on a disk`;
}

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** Opens the node's store; a failure names `storage.path`, the folder and the OS's own error. */
export function openConfiguredStore(loaded: LoadedConfig, directory: string): Database.Database {
  try {
    return openDatabase({ directory, sync: loaded.config.storage.sync });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const text = error instanceof Error ? error.message : String(error);
    throw new ConfigError(loaded.file, [
      { path: 'storage.path', message: `cannot open the store in ${directory}: ${text}${code && !text.includes(code) ? ` (${code})` : ''}; check that the folder exists, is writable by this user and is not on a read-only file system` },
    ]);
  }
}
