import { randomFillSync } from 'node:crypto';

const RANDOM_POOL_BYTES = 4096;
const pool = Buffer.alloc(RANDOM_POOL_BYTES);
/** The pool as hex, made once per refill: an id then takes slices of one string instead of encoding bytes. */
let poolHex = '';
let poolOffset = RANDOM_POOL_BYTES;
let sequence = 0;
/** `tttttttt-tttt-` of the last millisecond an id was made in: every id of that millisecond shares it. */
let timePrefix = '';
let timePrefixMs = -1;

/**
 * A UUIDv7 (RFC 9562): 48-bit unix milliseconds, then a 12-bit counter of the ids made in that
 * millisecond, then random bits. The millisecond is exactly floor(now), the delivery's received_at:
 * a lookup by id reads it from the id and searches that millisecond of the log's time index (the log
 * has no index on ids). Uniqueness rests on the 62 random bits, so past 4,096 ids in a millisecond the
 * counter wraps and after a clock step back it starts again.
 */
export function timeOrderedId(now: number): string {
  const ms = Math.floor(now);
  if (ms === timePrefixMs) {
    sequence = (sequence + 1) & 0xfff;
  } else {
    sequence = 0;
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
