import { useApp } from '../stores/app-store';

/** Short confirmations ("Copied", "Configured"), read out politely and gone by themselves; never a key. */
export function Toasts() {
  const toasts = useApp((s) => s.toasts);
  return (
    <div className="toasts" role="status" aria-live="polite">
      {toasts.map((t) => (
        <p key={t.id} className="toast">
          {t.text}
        </p>
      ))}
    </div>
  );
}
