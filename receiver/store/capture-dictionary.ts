/**
 * The preset dictionary captures are deflated with (format DEFLATED_WITH_DICTIONARY in capture-codec.ts):
 * what the sealed plaintext of almost every delivery repeats, so that deflate refers back to it instead of
 * spelling it out once per capture. Header names and values of the common providers and of HTTP, the
 * capture's own JSON framing, and keys that webhook payloads share. Measured on the bench's ~1 KB
 * Standard Webhooks delivery: sealed capture 355 → 282 B, log row ~720 → ~650 B, so that three rows
 * fit a 2 KB page instead of two (bytes written per delivery 3,782 → 3,117 in the same harness).
 *
 * FIXED FOREVER: every capture stored with this format is inflated with these exact bytes. A better
 * dictionary is a new format byte and a new constant beside this one, never an edit of it.
 * Most frequent last: deflate's nearer matches cost fewer bits.
 */
export const CAPTURE_DICTIONARY_V1 = Buffer.from(
  [
    '"pending_webhooks":"livemode":false,"api_version":"object":"event","request":{"idempotency_key":',
    '"repository":{"full_name":"sender":{"login":"installation":{"organization":"action":"',
    '"customer":"email":"name":"description":"metadata":{}"currency":"usd","status":"amount":',
    '"created_at":"updated_at":"timestamp":"created":"payload":"items":[{"event":"',
    '"x-shopify-topic":"x-shopify-hmac-sha256":"x-shopify-shop-domain":"x-shopify-api-version":"x-shopify-webhook-id":"x-shopify-triggered-at":"x-shopify-event-id":"',
    '"x-github-event":"x-github-delivery":"x-github-hook-id":"x-github-hook-installation-target-id":"x-github-hook-installation-target-type":"x-hub-signature":"sha1=',
    '"x-hub-signature-256":"sha256=","user-agent":"GitHub-Hookshot/',
    '"x-slack-signature":"v0=","x-slack-request-timestamp":"x-twilio-signature":"i-twilio-idempotency-token":"',
    '"stripe-signature":"t=,v1=,v0=","user-agent":"Stripe/1.0 (+https://stripe.com/docs/webhooks)",',
    '"svix-id":"msg_","svix-timestamp":"svix-signature":"v1,',
    '"x-forwarded-for":"x-forwarded-proto":"https","x-forwarded-host":"x-real-ip":"x-request-id":"traceparent":"00-',
    '"authorization":"[redacted]","accept":"*/*","accept-encoding":"gzip","connection":"keep-alive","cache-control":"no-cache",',
    '"content-type":"application/x-www-form-urlencoded","content-type":"application/json; charset=utf-8",',
    '"type":"data":{"id":"',
    '{"query":"","headers":{"host":"","user-agent":"","content-length":"","content-type":"application/json",',
    '"webhook-id":"msg_","webhook-timestamp":"","webhook-signature":"v1,',
  ].join(''),
);
