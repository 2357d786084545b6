import type { ReactNode } from 'react';

export type Tone = 'ok' | 'warn' | 'bad' | 'muted';

const MARK: Record<Tone, string> = { ok: '●', warn: '▲', bad: '■', muted: '○' };

/**
 * A state in colour, shape and words: colour alone says nothing to a colour-blind operator or a
 * screen reader, so the words are always there and the mark differs per tone.
 */
export function Badge({ tone, children, title }: { tone: Tone; children: ReactNode; title?: string }) {
  return (
    <span className={`badge badge-${tone}`} title={title}>
      <span aria-hidden="true" className="badge-mark">
        {MARK[tone]}
      </span>
      {children}
    </span>
  );
}
