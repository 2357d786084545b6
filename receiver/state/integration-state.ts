import { z } from 'zod';
import { KILL_SWITCH_MODES } from '../../shared/model/kill-switch.js';

/**
 * An integration's runtime state: what the admin API changed (kill switch, secrets). Once an
 * integration has any, it wins over the config file until the file's secrets are edited back in.
 */
const storedSecret = z.object({
  id: z.string(),
  value: z.string(),
  createdAt: z.number(),
  expiresAt: z.number().optional(),
  retiredAt: z.number().optional(),
  source: z.enum(['file', 'runtime']),
  /** Added as pending: verifies, but the older secrets get their expiry only when it is confirmed. */
  pending: z.boolean().optional(),
});
export type StoredSecret = z.infer<typeof storedSecret>;

const killSwitch = z.object({ mode: z.enum(KILL_SWITCH_MODES), reason: z.string(), since: z.number(), actor: z.string() });
export type KillSwitch = z.infer<typeof killSwitch>;

const integrationState = z.object({
  kill: killSwitch.nullable(),
  secrets: z.array(storedSecret).min(1),
  /** What the last release did with deliveries held while in hold mode; every node applies it to its own outbox. */
  heldDisposition: z.enum(['release', 'discard']).optional(),
});
export type IntegrationState = z.infer<typeof integrationState>;

export function encodeState(state: IntegrationState): Buffer {
  return Buffer.from(JSON.stringify(state));
}

export function decodeState(bytes: Buffer): IntegrationState {
  return integrationState.parse(JSON.parse(bytes.toString('utf8')));
}
