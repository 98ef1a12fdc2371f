import { useState } from 'react';
import { MODEL_VARIABLE } from '../../../shared/agents/claude-code/auth-picture';
import { API_AUTH, MODEL_NAMES, type ModelNames } from '../../../shared/metadata';
import { type AuthScheme, providerInfo } from '../../../shared/providers';
import type { ProviderView } from '../../../shared/vault-types';
import { call } from '../ipc';
import { useApp } from '../stores/app-store';
import { AddKeyForm } from './AddKeyForm';
import { AddProviderForm } from './AddProviderForm';
import { AwsFields } from './AwsFields';
import { KeyRow } from './KeyRow';

export function KeysView() {
  const listing = useApp((s) => s.listing);
  const loading = useApp((s) => s.loading);
  if (!listing) return <p aria-live="polite">{loading ? 'Loading keys…' : ''}</p>;
  // A provider the user defined shows before its first key: its card says where to get one, and can remove it.
  const withKeys = listing.providers.filter((p) => p.keys.length > 0 || providerInfo(p.id).custom);
  return (
    <section aria-labelledby="keys-title">
      <h1 id="keys-title">Keys</h1>
      <p className={listing.store.kind === 'file' ? 'store plaintext' : 'store'} data-testid="store">
        Keys kept in the {listing.store.description}
      </p>
      {listing.storeError && (
        <div role="alert" className="error">
          <p>{listing.storeError.message}</p>
          {listing.storeError.fix && <p>{listing.storeError.fix}</p>}
        </div>
      )}
      {withKeys.length === 0 && (
        <p className="empty">No keys yet. Add one below, or with `keytray keys add anthropic --label work`.</p>
      )}
      {withKeys.map((provider) => (
        <ProviderCard key={provider.id} provider={provider} />
      ))}
      {listing.discrepancies.map((d) => (
        <p key={`${d.kind}-${d.provider}-${d.label}`} className="warning">
          {d.message} {d.fix}
        </p>
      ))}
      <AddKeyForm />
      <AddProviderForm />
    </section>
  );
}

function ProviderCard({ provider }: { provider: ProviderView }) {
  const act = useApp((s) => s.act);
  const [editing, setEditing] = useState(false);
  const [baseUrl, setBaseUrl] = useState(provider.settings.baseUrl ?? '');
  const [region, setRegion] = useState(provider.settings.region ?? '');
  const [workspace, setWorkspace] = useState(provider.settings.workspaceId ?? '');
  const [models, setModels] = useState<ModelNames>(provider.settings.models ?? {});
  const info = providerInfo(provider.id);
  const anthropicApi = info.apis.includes('anthropic') && !info.regional;
  // A provider of the user's: its name and header are its definition's (`keytray provider edit`).
  const [name, setName] = useState(info.custom?.label ?? '');
  const [auth, setAuth] = useState<AuthScheme>(info.custom?.auth ?? 'x-api-key');
  return (
    <section className="card provider" aria-labelledby={`provider-${provider.id}`}>
      <header className="row">
        <ProviderMark id={provider.id} label={provider.label} />
        <h2 id={`provider-${provider.id}`}>{provider.label}</h2>
        <span className="muted">{provider.baseUrl ?? 'needs a region'}</span>
        <button type="button" className="link" onClick={() => setEditing(!editing)} aria-expanded={editing}>
          Settings
        </button>
      </header>
      {editing && (
        <form
          className="settings"
          onSubmit={(e) => {
            e.preventDefault();
            const settings = {
              baseUrl: baseUrl || null,
              ...(info.regional ? { region: region || null } : {}),
              ...(info.usesWorkspace ? { workspaceId: workspace || null } : {}),
            };
            const names = anthropicApi ? Object.fromEntries(MODEL_NAMES.map((n) => [n, models[n] || null])) : undefined;
            const custom = info.custom;
            void act(async () => {
              if (custom && (name !== custom.label || auth !== custom.auth)) {
                await call(window.keytray.editProvider({ id: provider.id, definition: { ...custom, label: name, auth } }));
              }
              await call(window.keytray.setProvider({ provider: provider.id, settings, ...(names ? { models: names } : {}) }));
            });
          }}
        >
          {info.custom && (
            <>
              <label>
                Name
                <input value={name} onChange={(e) => setName(e.target.value)} />
              </label>
              <label>
                Key sent as
                <select value={auth} onChange={(e) => setAuth(e.target.value as AuthScheme)}>
                  {API_AUTH[info.custom.api].map((a) => (
                    <option key={a} value={a}>
                      {a === 'bearer' ? 'Authorization: Bearer' : a}
                    </option>
                  ))}
                </select>
              </label>
            </>
          )}
          <label>
            Base URL (empty for the default)
            <input value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} />
          </label>
          <AwsFields
            provider={provider.id}
            region={region}
            onRegion={setRegion}
            workspace={workspace}
            onWorkspace={setWorkspace}
          />
          {anthropicApi && (
            <fieldset className="models">
              <legend>Claude Code's models (empty: Claude Code's own)</legend>
              {MODEL_NAMES.map((name) => (
                <label key={name}>
                  {MODEL_VARIABLE[name]}
                  <input
                    value={models[name] ?? ''}
                    spellCheck={false}
                    onChange={(e) => setModels({ ...models, [name]: e.target.value })}
                  />
                </label>
              ))}
            </fieldset>
          )}
          <button type="submit">Save</button>
          {info.custom && provider.keys.length === 0 && (
            <button
              type="button"
              className="danger"
              onClick={() => void act(() => call(window.keytray.removeProvider({ id: provider.id })))}
            >
              Remove provider
            </button>
          )}
        </form>
      )}
      {provider.keys.length === 0 && (
        <p className="hint">
          No key yet: get one at <span className="url">{info.keyUrl}</span> and add it below.
        </p>
      )}
      <ul>
        {provider.keys.map((key) => (
          <KeyRow key={key.label} keyView={key} />
        ))}
      </ul>
    </section>
  );
}

/**
 * A provider's mark: its initials on its own colour (no vendor logos to ship or keep up to date),
 * the same for the same id everywhere. Decorative: the heading beside it names the provider.
 */
function ProviderMark({ id, label }: { id: string; label: string }) {
  const initials = label
    .split(/[\s()-]+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]?.toUpperCase())
    .join('');
  let hue = 0;
  for (const c of id) hue = (hue * 31 + c.charCodeAt(0)) % 360;
  return (
    <span className="provider-mark" aria-hidden="true" data-hue={hue} ref={(el) => el?.style.setProperty('--hue', String(hue))}>
      {initials}
    </span>
  );
}
