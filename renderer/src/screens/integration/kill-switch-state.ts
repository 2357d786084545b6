import type { TokenScope } from '../../../../shared/contract/admin-api.js';
import type { HeldOutcome, IntegrationEntry, NodeResult } from '../../../../shared/contract/console.js';
import type { KillSwitchMode } from '../../../../shared/model/kill-switch.js';

/** A kill or a release as it was asked for: what a retry on one node sends again. */
export type KillSwitchChange =
  | { readonly kind: 'kill'; readonly mode: KillSwitchMode; readonly reason: string }
  | { readonly kind: 'release'; readonly reason: string; readonly held: 'release' | 'discard' };

export interface KillSwitchOutcome {
  readonly change: KillSwitchChange;
  readonly nodes: readonly NodeResult[];
  readonly held?: HeldOutcome | undefined;
}

/** Where one node stands now, judged from its fresh state rather than from the answer it gave to the change. */
export type NodeVerdict =
  | { readonly url: string; readonly state: 'applied' }
  /** It failed to answer then, but shows the change now (it came back and took it from the shared state). */
  | { readonly url: string; readonly state: 'applied-since' }
  | { readonly url: string; readonly state: 'refused-by-scope'; readonly error: string }
  | { readonly url: string; readonly state: 'failed'; readonly error: string };

/** The integration status a node shows once the change is in place. */
export function expectedStatus(change: KillSwitchChange): IntegrationEntry['status'] {
  if (change.kind === 'release') return 'active';
  return change.mode === 'hold' ? 'held' : 'killed';
}

/** Each node's verdict: its answer to the change, corrected by what it shows now. */
export function nodeVerdicts(outcome: KillSwitchOutcome, integration: IntegrationEntry): NodeVerdict[] {
  const expected = expectedStatus(outcome.change);
  return outcome.nodes.map((result): NodeVerdict => {
    if (result.ok) return { url: result.url, state: 'applied' };
    const now = integration.nodes.find((node) => node.url === result.url)?.status;
    if (now === expected) return { url: result.url, state: 'applied-since' };
    const error = result.error ?? 'no answer';
    return result.code === 'scope_insufficient' ? { url: result.url, state: 'refused-by-scope', error } : { url: result.url, state: 'failed', error };
  });
}

/** The headline over the per-node list: never "out of step" when nodes agree, never for a refused scope. */
export function verdictSummary(verdicts: readonly NodeVerdict[], integration: IntegrationEntry): { tone: 'ok' | 'warn' | 'bad'; text: string } {
  const total = verdicts.length;
  const failed = verdicts.filter((verdict) => verdict.state === 'failed').length;
  const refused = verdicts.filter((verdict) => verdict.state === 'refused-by-scope').length;
  if (failed === 0 && refused === 0) return { tone: 'ok', text: `applied on all ${total} node${total === 1 ? '' : 's'}` };
  if (failed === 0) return { tone: 'warn', text: `refused by the token's scope on ${refused} of ${total} nodes — nothing changed there` };
  const statuses = new Set(integration.nodes.filter((node) => node.status !== 'unreachable' && node.status !== 'missing').map((node) => node.status));
  const outOfStep = statuses.size > 1 ? ' — the nodes that answer disagree: the fleet is out of step' : '';
  return { tone: 'bad', text: `failed on ${failed} of ${total} nodes${outOfStep}; retry each below` };
}

/** Why the kill switch cannot be used with this token, or undefined when it can (or the scope is not known). */
export function scopeRefusal(scope: TokenScope | null | undefined): string | undefined {
  return scope === 'read' ? "This fleet's token has the read scope: engaging or releasing the kill switch needs operate. Connect the fleet with an operate or admin token." : undefined;
}
