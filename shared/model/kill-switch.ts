/**
 * What the ingress does while an integration's kill switch is engaged:
 * - `reject`: 503 with Retry-After; the sender keeps the event and retries (nothing stored);
 * - `hold`: verified and stored, answered 202, parked until the switch is released;
 * - `drop`: verified, answered 202, recorded as dropped and never released.
 */
export const KILL_SWITCH_MODES = ['reject', 'hold', 'drop'] as const;
export type KillSwitchMode = (typeof KILL_SWITCH_MODES)[number];
