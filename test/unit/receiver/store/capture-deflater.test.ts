import { randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CaptureDeflater } from '../../../../receiver/store/capture-deflater.js';
import { CAPTURE_DICTIONARY_V1 } from '../../../../receiver/store/capture-dictionary.js';

const OPTIONS = { level: 1, dictionary: CAPTURE_DICTIONARY_V1 };
const PREFIX = 0x02;
const META = JSON.stringify({ query: '', headers: { 'content-type': 'application/json', 'webhook-id': 'msg_1', 'user-agent': 'Svix-Webhooks/1.0 — ünïcode' } });

/** The prefix, then what deflateRawSync writes for the same input: the engine reused must not change a byte. */
function expected(text: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.of(PREFIX), deflateRawSync(Buffer.concat([Buffer.from(text), Buffer.of(0), body]), OPTIONS)]);
}

describe('capture deflater', () => {
  const json = Buffer.from(JSON.stringify({ type: 'invoice.paid', lines: Array.from({ length: 12 }, (_, i) => ({ sku: `sku-${i}`, note: 'x'.repeat(40) })) }));
  const bodies = {
    'a ~1 KB JSON delivery': json,
    'an empty body': Buffer.alloc(0),
    'binary that does not compress, over several output chunks': randomBytes(100_000),
    'text that compresses well, larger than the input buffer': Buffer.from('{"k":"v"},'.repeat(50_000)),
  };

  it('writes what deflateRawSync writes, for each kind of body, one after another in any order', () => {
    const deflater = new CaptureDeflater({ ...OPTIONS, prefix: PREFIX });
    const order = [...Object.values(bodies), ...Object.values(bodies).reverse(), json, json];
    for (const body of order) expect(Buffer.from(deflater.deflate(META, 0, body)).equals(expected(META, body))).toBe(true);
  });

  it('inflates back, with the dictionary, to the text, the separator and the body', () => {
    const deflater = new CaptureDeflater({ ...OPTIONS, prefix: PREFIX });
    for (const body of Object.values(bodies)) {
      const deflated = deflater.deflate(META, 0, body);
      expect(deflated[0]).toBe(PREFIX);
      const plain = inflateRawSync(deflated.subarray(1), { dictionary: CAPTURE_DICTIONARY_V1 });
      expect(plain.equals(Buffer.concat([Buffer.from(META), Buffer.of(0), body]))).toBe(true);
    }
  });
});
