import { hash, randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { seal } from '../../../../receiver/state/seal.js';
import { captureMeta, openCapture, sealCapture } from '../../../../receiver/store/capture-codec.js';
import { CAPTURE_DICTIONARY_V1 } from '../../../../receiver/store/capture-dictionary.js';

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

  it('opens a capture that deflates to more than one output chunk', () => {
    const large = { ...CAPTURE, body: Buffer.from(randomBytes(20_000).toString('base64')) };
    expect(openCapture(KEY, 'inv', sealCapture(KEY, 'inv', captureMeta(large), large.body))).toEqual(large);
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

  it('opens captures deflated without the dictionary, as earlier versions stored them', () => {
    const plain = Buffer.concat([Buffer.from(captureMeta(CAPTURE)), Buffer.of(0), CAPTURE.body]);
    const older = seal(KEY, 'inv', Buffer.concat([Buffer.of(0x01), deflateRawSync(plain, { level: 1 })]));
    expect(openCapture(KEY, 'inv', older)).toEqual(CAPTURE);
  });

  it('deflates a typical delivery smaller with the dictionary than without', () => {
    const delivery = {
      query: '',
      headers: { host: 'hooks.example.com', 'content-type': 'application/json', 'content-length': '87', 'webhook-id': 'msg_2a', 'webhook-timestamp': '1796029053', 'webhook-signature': `v1,${randomBytes(32).toString('base64')}` },
      body: Buffer.from(JSON.stringify({ type: 'customer.created', timestamp: '2026-11-30T09:00:00Z', data: { id: 'cus_1', email: 'a@example.com' } })),
    };
    const withoutDictionary = deflateRawSync(Buffer.concat([Buffer.from(captureMeta(delivery)), Buffer.of(0), delivery.body]), { level: 1 });
    const stored = sealCapture(KEY, 'inv', captureMeta(delivery), delivery.body);
    // Sealed: format byte, IV, tag, then the deflate format byte.
    expect(stored.length - 30).toBeLessThan(withoutDictionary.length);
    expect(openCapture(KEY, 'inv', stored)).toEqual(delivery);
  });

  it('keeps the dictionary stored captures were deflated with byte for byte', () => {
    // Captures already stored are inflated with these bytes: a changed dictionary is a new format, never an edit.
    expect(hash('sha256', CAPTURE_DICTIONARY_V1, 'hex')).toBe('216cc798a8f16f27d51277bf75240432b93f7af03b130b777a6fe7e5055acb59');
  });

  it('opens captures sealed before they were deflated', () => {
    const older = seal(KEY, 'inv', Buffer.concat([Buffer.from(captureMeta(CAPTURE)), Buffer.of(0), CAPTURE.body]));
    expect(openCapture(KEY, 'inv', older)).toEqual(CAPTURE);
  });

  it('cannot be opened under another integration', () => {
    expect(() => openCapture(KEY, 'other', sealCapture(KEY, 'inv', captureMeta(CAPTURE), CAPTURE.body))).toThrow(/master key/);
  });
});
