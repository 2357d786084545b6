import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { seal } from '../../../../receiver/state/seal.js';
import { captureMeta, openCapture, sealCapture } from '../../../../receiver/store/capture-codec.js';

const KEY = randomBytes(32);
const CAPTURE = { query: '?a=1', headers: { 'content-type': 'application/json', 'webhook-signature': 'v1,abc' }, body: Buffer.from(JSON.stringify({ note: 'x'.repeat(400) })) };

describe('capture codec', () => {
  it('stores a capture deflated and sealed, and opens it to the bytes received', () => {
    const stored = sealCapture(KEY, 'inv', captureMeta(CAPTURE), CAPTURE.body);
    expect(stored.length).toBeLessThan(CAPTURE.body.length / 2);
    expect(stored.includes(Buffer.from('xxxx'))).toBe(false);
    expect(openCapture(KEY, 'inv', stored)).toEqual(CAPTURE);
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
