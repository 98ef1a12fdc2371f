import { Plus } from 'lucide-react';
import { useState } from 'react';
import { judgeProvider } from '../../../shared/import/judge-provider';
import { type ProviderId, providerInfo } from '../../../shared/providers';
import { call } from '../ipc';
import { useApp } from '../stores/app-store';
import { Button } from '../ui/Button';
import { Dialog } from '../ui/Dialog';
import { AwsFields } from './AwsFields';
import { ProviderOptions } from './ProviderOptions';

/**
 * Adds a key, in a short dialog. A pasted key's shape names its provider (`sk-ant-…`, `AIza…`),
 * unless the person chose one. The secret goes straight to main in one call and the field is emptied.
 */
export function AddKeyForm() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="primary" onClick={() => setOpen(true)}>
        <Plus aria-hidden="true" size={16} /> Add a key…
      </Button>
      <Dialog open={open} onOpenChange={setOpen} title="Add a key">
        <AddKeyFields onAdded={() => setOpen(false)} />
      </Dialog>
    </>
  );
}

function AddKeyFields({ onAdded }: { onAdded(): void }) {
  const act = useApp((s) => s.act);
  const store = useApp((s) => s.listing?.store.description ?? 'keychain');
  const error = useApp((s) => s.error);
  const [provider, setProvider] = useState<ProviderId>('anthropic');
  const [label, setLabel] = useState('');
  const [secret, setSecret] = useState('');
  const [auth, setAuth] = useState<'api-key' | 'sigv4-keys' | 'sigv4-profile'>('api-key');
  const [profile, setProfile] = useState('');
  const [region, setRegion] = useState('');
  const [workspace, setWorkspace] = useState('');
  const [warnings, setWarnings] = useState<string[]>([]);
  /** Set once the person picks a provider themselves: the key's shape no longer chooses. */
  const [chosen, setChosen] = useState(false);
  const [recognised, setRecognised] = useState<ProviderId | null>(null);
  const info = providerInfo(provider);
  const onSecret = (value: string) => {
    setSecret(value);
    const judged = value.length >= 20 ? judgeProvider(value.trim()) : null;
    setRecognised(judged);
    if (judged && !chosen) setProvider(judged);
  };

  return (
    <form
      className="add-key"
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
          setRecognised(null);
          if (added.warnings.length === 0) onAdded();
        });
      }}
    >
      <div className="fields">
        <label>
          Provider
          <select
            value={provider}
            onChange={(e) => {
              setProvider(e.target.value as ProviderId);
              setChosen(true);
            }}
          >
            <ProviderOptions />
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
              onChange={(e) => onSecret(e.target.value)}
            />
          </label>
        )}
        {recognised && (
          <p className="hint wide" role="status" data-testid="recognised">
            {recognised === provider
              ? `Looks like a key for ${providerInfo(recognised).label}.`
              : `Looks like a key for ${providerInfo(recognised).label}, not ${info.label}.`}
          </p>
        )}
      </div>
      <p className="hint">
        Get one at <span className="url">{info.keyUrl}</span>. It is kept in the {store}.
      </p>
      {error && (
        <p role="alert" className="error" data-testid="dialog-error">
          {error.message} {error.fix}
        </p>
      )}
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
