/** Strict decoders for presented signatures: anything that is not exactly the encoding is refused, never "fixed". */
const HEX = /^[0-9a-fA-F]+$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function decodeHex(text: string): Buffer | undefined {
  return text.length % 2 === 0 && HEX.test(text) ? Buffer.from(text, 'hex') : undefined;
}

export function decodeBase64(text: string): Buffer | undefined {
  return BASE64.test(text) ? Buffer.from(text, 'base64') : undefined;
}

/** Unix seconds as senders write them; capped at 12 digits so the value stays a safe integer. */
export const UNIX_SECONDS = /^[0-9]{1,12}$/;

/** Longest signature header any scheme accepts; longer ones are refused before any work. */
export const MAX_SIGNATURE_HEADER = 4096;
