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

/**
 * How a secret is rotated: `generate` where the operator sets the secret at the sender, `paste` where the
 * provider issues it (Stripe "roll", Slack "regenerate", Shopify, Twilio) and the console must take theirs.
 */
export const ROTATION_MODE: Readonly<Record<SchemeName, 'generate' | 'paste' | 'keys'>> = {
  'standard-webhooks': 'generate',
  hmac: 'generate',
  github: 'generate',
  stripe: 'paste',
  slack: 'paste',
  shopify: 'paste',
  twilio: 'paste',
  jws: 'keys',
};
