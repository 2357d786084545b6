import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SmallDisk {
  readonly path: string;
  /** Gives the disk more room, as an operator freeing space would. */
  grow(megabytes: number): void;
  remove(): void;
}

/** A tmpfs of `megabytes` (needs root, as on CI); the reason it cannot be had otherwise. */
export function mountSmallTmpfs(megabytes: number): SmallDisk | { unavailable: string } {
  const path = mkdtempSync(join(tmpdir(), 'hookwarden-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m`, 'tmpfs', path], { stdio: 'pipe' });
  } catch (error) {
    rmSync(path, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return { unavailable: `cannot mount a tmpfs here (${stderr || (error as Error).message}); run as root to include this row` };
  }
  return {
    path,
    grow: (size) => void execFileSync('mount', ['-o', `remount,size=${size}m`, path], { stdio: 'pipe' }),
    remove() {
      execFileSync('umount', ['-l', path], { stdio: 'pipe' });
      rmSync(path, { recursive: true, force: true });
    },
  };
}
