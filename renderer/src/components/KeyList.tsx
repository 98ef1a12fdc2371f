import type { KeyView, ProviderView } from '../../../shared/vault-types';

const STATE_NOTES: Record<KeyView['state'], string | null> = {
  ok: null,
  missing: 'secret missing from the store',
  changed: 'changed outside KeyTray',
  unknown: 'store unavailable',
};

export function KeyList({ providers }: { providers: ProviderView[] }) {
  const withKeys = providers.filter((p) => p.keys.length > 0);
  if (withKeys.length === 0) {
    return (
      <p className="empty">
        No keys yet. Add one with <code>keytray keys add anthropic --label work</code>.
      </p>
    );
  }
  return (
    <div className="providers">
      {withKeys.map((provider) => (
        <section key={provider.id} className="provider" aria-labelledby={`provider-${provider.id}`}>
          <h2 id={`provider-${provider.id}`}>{provider.label}</h2>
          <ul>
            {provider.keys.map((key) => (
              <li key={key.label} className={key.active ? 'key active' : 'key'} data-testid={`key-${provider.id}-${key.label}`}>
                <span className="label">{key.label}</span>
                <code className="masked">{key.masked}</code>
                {key.active && <span className="badge">active</span>}
                {STATE_NOTES[key.state] && <span className="warning">{STATE_NOTES[key.state]}</span>}
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
