import type { KillSwitchMode } from './kill-switch.js';
import type { SchemeName } from './schemes.js';

/** What a provider does when a delivery is refused, and for how long it redelivers. */
export interface SenderProfile {
  readonly sender: string;
  /** How long the sender keeps retrying a refused delivery; 0 = it never retries. */
  readonly retryHorizonSeconds: number;
  readonly retries: string;
}

const HOUR = 3600;

/** Published retry behaviour per scheme's usual sender (generic schemes: unknown, so no warning is made up). */
export const SENDER_PROFILES: Partial<Record<SchemeName, SenderProfile>> = {
  github: { sender: 'GitHub', retryHorizonSeconds: 0, retries: 'never retries a failed delivery (redeliver by hand for 3 days)' },
  stripe: { sender: 'Stripe', retryHorizonSeconds: 3 * 24 * HOUR, retries: 'retries with backoff for up to 3 days' },
  shopify: { sender: 'Shopify', retryHorizonSeconds: 4 * HOUR, retries: 'tries 8 times over 4 hours, then gives up' },
  'standard-webhooks': { sender: 'Standard Webhooks / Svix senders', retryHorizonSeconds: 28 * HOUR, retries: 'retry on a schedule of about 28 hours' },
  slack: { sender: 'Slack', retryHorizonSeconds: 30 * 60, retries: 'retries 3 times within about 30 minutes' },
  twilio: { sender: 'Twilio', retryHorizonSeconds: 0, retries: 'does not retry by default' },
};

/** Plain-words warnings about an integration's settings against what its sender does. */
export function senderWarnings(scheme: SchemeName, dedupeWindowSeconds: number, killMode: KillSwitchMode | undefined): string[] {
  const profile = SENDER_PROFILES[scheme];
  if (!profile) return [];
  const warnings: string[] = [];
  if (profile.retryHorizonSeconds > dedupeWindowSeconds) {
    warnings.push(
      `The dedupe window (${formatDuration(dedupeWindowSeconds)}) is shorter than ${profile.sender}'s retry horizon (${formatDuration(profile.retryHorizonSeconds)}): a late redelivery would be processed twice.`,
    );
  }
  if (killMode === 'reject' && profile.retryHorizonSeconds === 0) {
    warnings.push(`The kill switch rejects deliveries, and ${profile.sender} ${profile.retries}: rejected events are lost. Use hold to keep them.`);
  }
  return warnings;
}

/** What each kill-switch mode means for this integration's sender, for the confirmation dialog. */
export function killModeConsequence(scheme: SchemeName, mode: KillSwitchMode): string {
  const profile = SENDER_PROFILES[scheme];
  if (mode === 'hold') return 'Deliveries are verified, stored and answered 202, then parked until you release them.';
  if (mode === 'drop') return 'Deliveries are verified and answered 202, recorded as dropped, and never released. The sender will not resend them.';
  if (!profile) return 'Deliveries are refused with 503; whether they come back depends on the sender\'s retries.';
  return profile.retryHorizonSeconds === 0
    ? `Deliveries are refused with 503, and ${profile.sender} ${profile.retries}: they are lost.`
    : `Deliveries are refused with 503; ${profile.sender} ${profile.retries}, so events come back if you release within ${formatDuration(profile.retryHorizonSeconds)}.`;
}

function formatDuration(seconds: number): string {
  if (seconds >= 86_400 && seconds % 86_400 === 0) return `${seconds / 86_400} d`;
  if (seconds >= HOUR) return `${Math.round((seconds / HOUR) * 10) / 10} h`;
  return `${Math.round(seconds / 60)} min`;
}
