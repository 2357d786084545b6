import type { TokenScope } from '../../../../shared/contract/admin-api.js';
import { Badge } from '../../components/Badge.js';

const SCOPE_WORDS: Record<TokenScope, string> = {
  read: 'read: looks only, cannot kill, release or rotate',
  operate: 'operate: kill switch and redrive, no secret changes',
  admin: 'admin: everything, secret changes included',
};

/** What the fleet's token may do, as the node told; "unknown" from a node that does not say. */
export function ScopeBadge({ scope }: { scope: TokenScope | null | undefined }) {
  if (!scope) return <Badge tone="muted" title="The nodes do not report the token's scope (GET /whoami)">scope unknown</Badge>;
  return (
    <Badge tone={scope === 'read' ? 'warn' : 'muted'} title={SCOPE_WORDS[scope]}>
      {`scope: ${scope}`}
    </Badge>
  );
}

export const scopeMeaning = (scope: TokenScope): string => SCOPE_WORDS[scope];
