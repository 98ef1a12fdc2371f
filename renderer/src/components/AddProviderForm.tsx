import { useState } from 'react';
import { API_AUTH } from '../../../shared/metadata';
import { PROVIDER_PRESETS } from '../../../shared/provider-presets';
import { type AuthScheme, type CustomProvider, PROVIDER_APIS, type ProviderApi } from '../../../shared/providers';
import { call } from '../ipc';
import { useApp } from '../stores/app-store';

const EMPTY: CustomProvider = { label: '', api: 'anthropic', baseUrl: '', auth: 'x-api-key' };

/**
 * Defines a provider of the user's, from a preset or by hand, as `keytray provider add` does; the
 * vault checks it with the CLI's own sentences. Behind a disclosure: most people never need it.
 */
export function AddProviderForm() {
  const act = useApp((s) => s.act);
  const [open, setOpen] = useState(false);
  const [preset, setPreset] = useState('');
  const [id, setId] = useState('');
  const [definition, setDefinition] = useState<CustomProvider>(EMPTY);
  const choosePreset = (name: string) => {
    setPreset(name);
    const p = PROVIDER_PRESETS[name];
    if (!p) return;
    setId(name);
    setDefinition({ label: p.label, api: p.api, baseUrl: p.baseUrl, auth: p.auth, ...(p.keyUrl ? { keyUrl: p.keyUrl } : {}) });
  };
  const source = PROVIDER_PRESETS[preset]?.docs;
  return (
    <section className="card add-provider" aria-labelledby="add-provider-title">
      <h2 id="add-provider-title">
        <button type="button" className="link" aria-expanded={open} onClick={() => setOpen(!open)}>
          Add a provider
        </button>
      </h2>
      {open && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void act(async () => {
              await call(
                window.keytray.addProvider({
                  id,
                  definition: { ...definition, ...(preset ? { preset } : {}) },
                }),
              );
              setOpen(false);
              setPreset('');
              setId('');
              setDefinition(EMPTY);
            });
          }}
        >
          <p className="hint">
            Any Anthropic-, OpenAI- or Gemini-compatible endpoint: its keys, helper and proxy route work like a built-in
            provider's.
          </p>
          <div className="fields">
            <label>
              Preset
              <select value={preset} onChange={(e) => choosePreset(e.target.value)}>
                <option value="">By hand</option>
                {Object.entries(PROVIDER_PRESETS).map(([name, p]) => (
                  <option key={name} value={name}>
                    {p.label}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Id
              <input value={id} placeholder="my-gateway" onChange={(e) => setId(e.target.value)} />
            </label>
            <label>
              Name
              <input value={definition.label} onChange={(e) => setDefinition({ ...definition, label: e.target.value })} />
            </label>
            <label>
              API
              <select
                value={definition.api}
                onChange={(e) => {
                  const api = e.target.value as ProviderApi;
                  setDefinition({ ...definition, api, auth: API_AUTH[api][0] as AuthScheme });
                }}
              >
                {PROVIDER_APIS.map((api) => (
                  <option key={api} value={api}>
                    {api}
                  </option>
                ))}
              </select>
            </label>
            <label className="wide">
              Base URL
              <input
                value={definition.baseUrl}
                placeholder="https://api.example.com"
                onChange={(e) => setDefinition({ ...definition, baseUrl: e.target.value })}
              />
            </label>
            <label>
              Key sent as
              <select
                value={definition.auth}
                onChange={(e) => setDefinition({ ...definition, auth: e.target.value as AuthScheme })}
              >
                {API_AUTH[definition.api].map((auth) => (
                  <option key={auth} value={auth}>
                    {auth === 'bearer' ? 'Authorization: Bearer' : auth}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {source && (
            <p className="hint">
              From the provider's own page: <span className="url">{source}</span>
            </p>
          )}
          <button type="submit" className="primary">
            Add provider
          </button>
        </form>
      )}
    </section>
  );
}
