import { randomFillSync } from 'node:crypto';

const RANDOM_POOL_BYTES = 4096;
const pool = Buffer.alloc(RANDOM_POOL_BYTES);
/** The pool as hex, made once per refill: an id then takes slices of one string instead of encoding bytes. */
let poolHex = '';
let poolOffset = RANDOM_POOL_BYTES;
let lastMs = 0;
let sequence = 0;
/** `tttttttt-tttt-` of the last millisecond an id was made in: every id of that millisecond shares it. */
let timePrefix = '';
let timePrefixMs = -1;

/**
 * A UUIDv7 (RFC 9562): 48-bit unix milliseconds, then a 12-bit counter that keeps ids of the same
 * millisecond in order, then random bits. Ids of one node sort by arrival, so the log's index on
 * them is appended at its right edge instead of dirtying a random page per delivery.
 */
export function timeOrderedId(now: number): string {
  let ms = Math.floor(now);
  if (ms <= lastMs) {
    // Same millisecond (or a clock step back): count on from the last id so the order holds.
    ms = lastMs;
    sequence++;
    if (sequence > 0xfff) {
      ms = ++lastMs;
      sequence = 0;
    }
  } else {
    lastMs = ms;
    sequence = 0;
  }
  if (ms !== timePrefixMs) {
    const time = ms.toString(16).padStart(12, '0');
    timePrefix = `${time.slice(0, 8)}-${time.slice(8)}-`;
    timePrefixMs = ms;
  }
  if (poolOffset + 8 > RANDOM_POOL_BYTES) {
    randomFillSync(pool);
    poolHex = pool.toString('hex');
    poolOffset = 0;
  }
  const variant = ((pool[poolOffset] as number) & 0x3f) | 0x80;
  const hex = poolOffset * 2;
  poolOffset += 8;
  return `${timePrefix}${(0x7000 | sequence).toString(16)}-${variant.toString(16)}${poolHex.slice(hex + 2, hex + 4)}-${poolHex.slice(hex + 4, hex + 16)}`;
}
