import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';

/** Far more than any signing secret or key; a file larger than this is not a secret (or is `/dev/zero`). */
export const MAX_SECRET_FILE_BYTES = 64 * 1024;

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
    const value = readSecretFile(path).replace(/\r?\n$/, '');
    if (value === '') throw new Error(`secret file ${path} is empty`);
    return value;
  }
  return reference;
}

/**
 * Reads at most MAX_SECRET_FILE_BYTES + 1 bytes of a regular file. Devices, FIFOs and sockets are
 * refused before reading: `/dev/zero` never ends and a FIFO blocks until someone writes to it
 * (the open itself does not block, thanks to O_NONBLOCK).
 */
function readSecretFile(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new Error(`cannot read secret file ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    if (!fstatSync(fd).isFile()) throw new Error(`secret file ${path} is not a regular file`);
    const buffer = Buffer.alloc(MAX_SECRET_FILE_BYTES + 1);
    let size = 0;
    while (size < buffer.length) {
      const read = readSync(fd, buffer, size, buffer.length - size, null);
      if (read === 0) break;
      size += read;
    }
    if (size > MAX_SECRET_FILE_BYTES) throw new Error(`secret file ${path} is larger than ${MAX_SECRET_FILE_BYTES} bytes`);
    return buffer.subarray(0, size).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
