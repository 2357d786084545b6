import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { seal } from '../../../../receiver/state/seal.js';
import { captureMeta, openCapture, sealCapture } from '../../../../receiver/store/capture-codec.js';

const KEY = randomBytes(32);
const CAPTURE = { query: '?a=1', headers: { 'content-type': 'application/json', 'webhook-signature': 'v1,abc' }, body: Buffer.from(JSON.stringify({ note: 'x'.repeat(400) })) };

describe('capture codec', () => {
  it('writes the meta as JSON.stringify of query, headers and truncatedFrom, with or without the headers\' JSON given', () => {
    const truncated = { ...CAPTURE, query: '?q="x"', truncatedFrom: 999 };
    for (const capture of [CAPTURE, truncated]) {
      const expected = JSON.stringify({ query: capture.query, headers: capture.headers, ...('truncatedFrom' in capture ? { truncatedFrom: capture.truncatedFrom } : {}) });
      expect(captureMeta(capture)).toBe(expected);
      expect(captureMeta(capture, JSON.stringify(capture.headers))).toBe(expected);
    }
  });

  it('stores a capture deflated and sealed, and opens it to the bytes received', () => {
    const stored = sealCapture(KEY, 'inv', captureMeta(CAPTURE), CAPTURE.body);
    expect(stored.length).toBeLessThan(CAPTURE.body.length / 2);
    expect(stored.includes(Buffer.from('xxxx'))).toBe(false);
    expect(openCapture(KEY, 'inv', stored)).toEqual(CAPTURE);
  });

  it('seals every capture under its own IV, across refills of the IV pool', () => {
    // 1,000 IVs of 12 bytes span three 4 KB pools.
    const stored = Array.from({ length: 1_000 }, () => sealCapture(KEY, 'inv', captureMeta(CAPTURE), CAPTURE.body));
    expect(new Set(stored.map((sealed) => sealed.subarray(1, 13).toString('hex'))).size).toBe(stored.length);
    for (const sealed of [stored[0], stored[340], stored[341], stored[999]]) expect(openCapture(KEY, 'inv', sealed as Buffer)).toEqual(CAPTURE);
  });

    it('keeps a truncated capture’s full size', () => {
    const truncated = { ...CAPTURE, body: CAPTURE.body.subarray(0, 10), truncatedFrom: CAPTURE.body.length };
    expect(openCapture(KEY, 'inv', sealCapture(KEY, 'inv', captureMeta(truncated), truncated.body))).toEqual(truncated);
  });

  it('opens captures sealed before they were deflated', () => {
    const older = seal(KEY, 'inv', Buffer.concat([Buffer.from(captureMeta(CAPTURE)), Buffer.of(0), CAPTURE.body]));
    expect(openCapture(KEY, 'inv', older)).toEqual(CAPTURE);
  });

  it('cannot be opened under another integration', () => {
    expect(() => openCapture(KEY, 'other', sealCapture(KEY, 'inv', captureMeta(CAPTURE), CAPTURE.body))).toThrow(/master key/);
  });
});
