import type { ReactNode } from 'react';

/** A panel with a heading; `actions` sit at the heading's end. */
export function Card({
  title,
  titleId,
  actions,
  tone,
  children,
  className,
  testId,
}: {
  title?: ReactNode;
  titleId?: string;
  actions?: ReactNode;
  tone?: 'ok' | 'warn' | 'bad';
  children?: ReactNode;
  className?: string;
  testId?: string;
}) {
  return (
    <section
      className={`card${tone ? ` edge-${tone}` : ''}${className ? ` ${className}` : ''}`}
      aria-labelledby={title ? titleId : undefined}
      data-testid={testId}
    >
      {(title || actions) && (
        <header className="card-head">
          {title && <h2 id={titleId}>{title}</h2>}
          {actions && <div className="card-actions">{actions}</div>}
        </header>
      )}
      {children}
    </section>
  );
}
