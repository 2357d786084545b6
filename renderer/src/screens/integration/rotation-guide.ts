import type { SchemeName } from '../../../../shared/model/schemes.js';

/** What the operator does at a provider that issues its own secret, and how long that provider keeps the old one. */
export interface ProviderGuide {
  readonly provider: string;
  /** Where the new secret is made, in the provider's own words. */
  readonly where: string;
  /** The provider's own overlap: how long it still signs with (or accepts) the old secret. */
  readonly overlap: string;
  /** The overlap to suggest here, in seconds: at least the provider's. */
  readonly suggestedOverlapSeconds: number;
}

const HOUR = 3_600;

/**
 * Provider-issued secrets (ROTATION_MODE `paste`). Overlaps as documented by each provider and
 * noted in SIGNATURES.md: Stripe's roll signs with both secrets for the expiry chosen (up to 24 h);
 * Shopify may take up to an hour to sign with a rotated client secret.
 */
export const PROVIDER_GUIDES: Partial<Record<SchemeName, ProviderGuide>> = {
  stripe: {
    provider: 'Stripe',
    where: 'Dashboard → Developers → Webhooks → this endpoint → “Roll secret”. Choose when the old secret expires (up to 24 hours), then copy the new whsec_… secret.',
    overlap: 'Stripe signs every event with both the old and the new secret until the expiry you chose there (at most 24 h).',
    suggestedOverlapSeconds: 24 * HOUR,
  },
  slack: {
    provider: 'Slack',
    where: 'api.slack.com/apps → your app → Basic Information → App Credentials → Signing Secret → “Regenerate”.',
    overlap: 'Slack signs with the new secret as soon as it is regenerated and keeps no overlap: paste it here straight away. Requests refused in between are retried by Slack a few times.',
    suggestedOverlapSeconds: HOUR,
  },
  shopify: {
    provider: 'Shopify',
    where: 'Partner Dashboard (or the Dev Dashboard) → your app → Client credentials → rotate the client secret.',
    overlap: 'Shopify can take up to an hour to sign webhooks with the rotated secret: keep the old one verifying for at least that long.',
    suggestedOverlapSeconds: 24 * HOUR,
  },
  twilio: {
    provider: 'Twilio',
    where: 'Console → Account → API keys & tokens → Auth tokens → create a secondary auth token. Paste it here first; promote it to primary at Twilio only once every node accepts it.',
    overlap: 'Twilio signs with the primary auth token: nothing changes at Twilio until you promote the secondary one, and after that the old token signs nothing.',
    suggestedOverlapSeconds: HOUR,
  },
};
