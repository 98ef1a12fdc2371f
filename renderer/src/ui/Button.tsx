/**
 * Buttons: one look per purpose (primary, plain, danger, quiet), and icon
 * buttons that always carry their words — as the accessible name, as a
 * tooltip, and with their keyboard shortcut where they have one.
 */
import * as Tooltip from '@radix-ui/react-tooltip';
import type { LucideIcon } from 'lucide-react';
import type { ButtonHTMLAttributes, ReactNode } from 'react';

type Variant = 'primary' | 'plain' | 'danger' | 'quiet';

export function Button({
  variant = 'plain',
  className,
  children,
  ...rest
}: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant; children: ReactNode }) {
  return (
    <button type="button" {...rest} className={`btn btn-${variant}${className ? ` ${className}` : ''}`}>
      {children}
    </button>
  );
}

/** A square button with an icon; `label` is its name and its tooltip, `shortcut` (e.g. "C") is shown and announced. */
export function IconButton({
  icon: Icon,
  label,
  shortcut,
  variant = 'quiet',
  pressed,
  ...rest
}: Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'children'> & {
  icon: LucideIcon;
  label: string;
  shortcut?: string;
  variant?: Variant;
  pressed?: boolean;
}) {
  return (
    <Tooltip.Root>
      <Tooltip.Trigger asChild>
        <button
          type="button"
          {...rest}
          aria-label={label}
          aria-keyshortcuts={shortcut}
          aria-pressed={pressed}
          className={`btn icon btn-${variant}`}
        >
          <Icon aria-hidden="true" size={16} strokeWidth={2} />
        </button>
      </Tooltip.Trigger>
      <Tooltip.Portal>
        <Tooltip.Content className="tooltip" sideOffset={4}>
          {label}
          {shortcut && <kbd>{shortcut}</kbd>}
        </Tooltip.Content>
      </Tooltip.Portal>
    </Tooltip.Root>
  );
}

/** Tooltips share one provider: a short delay, and none while the pointer moves across a row of buttons. */
export function TooltipProvider({ children }: { children: ReactNode }) {
  return (
    <Tooltip.Provider delayDuration={400} skipDelayDuration={200}>
      {children}
    </Tooltip.Provider>
  );
}
