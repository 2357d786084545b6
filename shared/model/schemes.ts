export const SCHEME_NAMES = [
  'standard-webhooks',
  'stripe',
  'github',
  'slack',
  'shopify',
  'twilio',
  'hmac',
  'jws',
] as const;
export type SchemeName = (typeof SCHEME_NAMES)[number];
