const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Latin letters and their Cyrillic twins, which render the same in most fonts. */
const LOOK_ALIKES: Record<string, string> = { a: 'а', c: 'с', e: 'е', o: 'о', p: 'р', x: 'х', A: 'А', B: 'В', C: 'С', E: 'Е', H: 'Н', K: 'К', M: 'М', O: 'О', P: 'Р', T: 'Т', X: 'Х' };

/** Where the MAC sits in a signature header value, and how it is spelled. */
export interface SignatureLayout {
  /** The text before the MAC (`v1,`, `sha256=`, `t=…,v1=`), kept by most forgeries. */
  readonly prefix: string;
  readonly mac: string;
  readonly suffix: string;
  readonly encoding: 'hex' | 'base64' | 'base64url';
  /** A prefix of the same shape that the scheme does not accept. */
  readonly wrongPrefix: string;
}

export const FORGERIES = ['wrong prefix', 'truncated', 'doubled', 'look-alike unicode', 'whitespace in the MAC'] as const;
export type Forgery = (typeof FORGERIES)[number];

/** A signature that must never verify, made from a valid one. */
export function forge(layout: SignatureLayout, forgery: Forgery): string {
  const { prefix, mac, suffix } = layout;
  switch (forgery) {
    case 'wrong prefix':
      return `${layout.wrongPrefix}${mac}${suffix}`;
    case 'truncated':
      return `${prefix}${mac.slice(0, -2)}${suffix}`;
    case 'doubled':
      return `${prefix}${mac}${mac}${suffix}`;
    case 'look-alike unicode': {
      const at = [...mac].findIndex((char) => LOOK_ALIKES[char] !== undefined);
      const swapped = at < 0 ? `а${mac.slice(1)}` : `${mac.slice(0, at)}${LOOK_ALIKES[mac[at]!]}${mac.slice(at + 1)}`;
      return `${prefix}${swapped}${suffix}`;
    }
    case 'whitespace in the MAC': {
      const middle = Math.floor(mac.length / 2);
      return `${prefix}${mac.slice(0, middle)} ${mac.slice(middle)}${suffix}`;
    }
  }
}

/**
 * The same MAC bytes spelled differently: base64 with the unused low bits of the last character
 * set (a lenient decoder reads the same bytes), hex in upper case. Verifies where the decoder is
 * lenient; must then still be recognised as the delivery already accepted.
 */
export function respell(layout: SignatureLayout): string {
  const { prefix, mac, suffix } = layout;
  if (layout.encoding === 'hex') return `${prefix}${mac.toUpperCase()}${suffix}`;
  const alphabet = layout.encoding === 'base64' ? BASE64 : BASE64URL;
  const data = mac.replace(/=+$/, '');
  const padding = mac.slice(data.length);
  const last = alphabet.indexOf(data.at(-1)!);
  return `${prefix}${data.slice(0, -1)}${alphabet[last ^ 1]}${padding}${suffix}`;
}
