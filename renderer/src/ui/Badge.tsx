import type { ReactNode } from 'react';

/** What a status light or badge says; never colour alone: each tone comes with its words. */
export type Tone = 'ok' | 'warn' | 'bad' | 'neutral' | 'accent';

export function Badge({ tone = 'neutral', children, testId }: { tone?: Tone; children: ReactNode; testId?: string }) {
  return (
    <span className={`badge tone-${tone}`} data-testid={testId}>
      {children}
    </span>
  );
}

/** A status light: a dot in the tone's colour and a word for those who cannot tell the colours apart. */
export function Light({ tone, label }: { tone: Tone; label: string }) {
  return (
    <span className={`light tone-${tone}`}>
      <span className="dot" aria-hidden="true" />
      <span className="light-label">{label}</span>
    </span>
  );
}
