import { describe, expect, it } from 'vitest';
import { flattenHeaders } from '../../../../receiver/pipeline/redact-headers.js';

describe('flattenHeaders', () => {
  it('redacts credentials in both views and signatures in the log view only', () => {
    const { log, capture, logJson, captureJson } = flattenHeaders(
      {
        authorization: 'Bearer t0ken',
        cookie: 'a=b',
        'webhook-signature': 'v1,abc',
        'x-shopify-hmac-sha256': 'mac',
        'x-custom-sig': 'sig',
        'x-forwarded-for': ['10.0.0.1', '10.0.0.2'],
        'content-type': 'application/json',
      },
      new Set(['x-custom-sig']),
    );
    expect(log).toEqual({
      authorization: '[redacted]',
      cookie: '[redacted]',
      'webhook-signature': '[redacted]',
      'x-shopify-hmac-sha256': '[redacted]',
      'x-custom-sig': '[redacted]',
      'x-forwarded-for': '10.0.0.1, 10.0.0.2',
      'content-type': 'application/json',
    });
    expect(capture).toEqual({
      authorization: '[redacted]',
      cookie: '[redacted]',
      'webhook-signature': 'v1,abc',
      'x-shopify-hmac-sha256': 'mac',
      'x-custom-sig': 'sig',
      'x-forwarded-for': '10.0.0.1, 10.0.0.2',
      'content-type': 'application/json',
    });
    expect(logJson).toBe(JSON.stringify(log));
    expect(captureJson).toBe(JSON.stringify(capture));
  });

  it('writes the same JSON text as JSON.stringify, escapes included, and {} for no headers', () => {
    const headers = { 'x-quote': 'say "hi" \\ there\u0001', 'x-unicode': 'ü€', 'x-lone': 'a\ud800b', 'x-tab': 'a\tb\u001f', 'x-sig': 'v1,x' };
    const flat = flattenHeaders(headers, new Set(['x-sig']));
    expect(flat.logJson).toBe(JSON.stringify(flat.log));
    expect(flat.captureJson).toBe(JSON.stringify(flat.capture));
    expect(JSON.parse(flat.captureJson)).toEqual(headers);
    const empty = flattenHeaders({}, new Set());
    expect([empty.logJson, empty.captureJson]).toEqual(['{}', '{}']);
  });
});
