import { useState } from 'react';
import { type ProviderId, providerIds, providerInfo } from '../../../shared/providers';
import { call } from '../ipc';
import { useApp } from '../stores/app-store';
import { AwsFields } from './AwsFields';

/** Adds a key. The secret goes straight to main in one call and the field is emptied. */
export function AddKeyForm() {
  const act = useApp((s) => s.act);
  const store = useApp((s) => s.listing?.store.description ?? 'keychain');
  const [provider, setProvider] = useState<ProviderId>('anthropic');
  const [label, setLabel] = useState('');
  const [secret, setSecret] = useState('');
  const [auth, setAuth] = useState<'api-key' | 'sigv4-keys' | 'sigv4-profile'>('api-key');
  const [profile, setProfile] = useState('');
  const [region, setRegion] = useState('');
  const [workspace, setWorkspace] = useState('');
  const [warnings, setWarnings] = useState<string[]>([]);
  const info = providerInfo(provider);

  return (
    <form
      className="card add-key"
      aria-labelledby="add-key-title"
      onSubmit={(e) => {
        e.preventDefault();
        void act(async () => {
          const settings = { ...(region ? { region } : {}), ...(workspace ? { workspaceId: workspace } : {}) };
          if (Object.keys(settings).length > 0) await call(window.keytray.setProvider({ provider, settings }));
          const added = await call(
            window.keytray.addKey({
              provider,
              label: label || 'default',
              secret: auth === 'sigv4-profile' ? '' : secret,
              ...(info.regional ? { auth } : {}),
              ...(auth === 'sigv4-profile' ? { profile } : {}),
            }),
          );
          setWarnings(added.warnings);
          setSecret('');
          setLabel('');
        });
      }}
    >
      <h2 id="add-key-title">Add a key</h2>
      <div className="fields">
        <label>
          Provider
          <select value={provider} onChange={(e) => setProvider(e.target.value as ProviderId)}>
            {providerIds().map((id) => (
              <option key={id} value={id}>
                {providerInfo(id).label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Label
          <input value={label} placeholder="work" onChange={(e) => setLabel(e.target.value)} />
        </label>
        {info.regional && (
          <>
            <label>
              Sign-in
              <select value={auth} onChange={(e) => setAuth(e.target.value as typeof auth)}>
                <option value="api-key">API key</option>
                <option value="sigv4-keys">AWS access keys (SigV4)</option>
                <option value="sigv4-profile">AWS profile (SigV4)</option>
              </select>
            </label>
            <AwsFields
              provider={provider}
              region={region}
              onRegion={setRegion}
              workspace={workspace}
              onWorkspace={setWorkspace}
            />
          </>
        )}
        {auth === 'sigv4-profile' && info.regional ? (
          <label>
            AWS profile
            <input value={profile} onChange={(e) => setProfile(e.target.value)} />
          </label>
        ) : (
          <label className="wide">
            {auth === 'sigv4-keys' && info.regional ? 'ACCESS_KEY_ID:SECRET_ACCESS_KEY[:SESSION_TOKEN]' : 'Key'}
            <input
              type="password"
              autoComplete="off"
              spellCheck={false}
              value={secret}
              onChange={(e) => setSecret(e.target.value)}
            />
          </label>
        )}
      </div>
      <p className="hint">
        Get one at <span className="url">{info.keyUrl}</span>. It is kept in the {store}.
      </p>
      {warnings.map((w) => (
        <p key={w} className="warning" role="status">
          {w}
        </p>
      ))}
      <button type="submit" className="primary">
        Add key
      </button>
    </form>
  );
}
