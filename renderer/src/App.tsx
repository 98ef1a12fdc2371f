import { useEffect, useState } from 'react';
import { AgentsView } from './components/AgentsView';
import { BindingsView } from './components/BindingsView';
import { ImportBanner } from './components/ImportBanner';
import { KeysView } from './components/KeysView';
import { ProxyView } from './components/ProxyView';
import { StatusView } from './components/StatusView';
import { call } from './ipc';
import { useApp, type View } from './stores/app-store';

const VIEWS: { id: View; label: string }[] = [
  { id: 'keys', label: 'Keys' },
  { id: 'agents', label: 'Agents' },
  { id: 'status', label: 'Auth status' },
  { id: 'bindings', label: 'Bindings' },
  { id: 'proxy', label: 'Proxy' },
];

export function App() {
  const { view, setView, error, refreshKeys, refreshAgents, refreshProxy } = useApp();
  useEffect(() => {
    void refreshKeys();
    void refreshAgents();
    return window.keytray.onStateChanged((event) => {
      if (event.kind === 'keys') void refreshKeys();
      else if (event.kind === 'picture') void refreshAgents();
      else void refreshProxy();
    });
  }, [refreshKeys, refreshAgents, refreshProxy]);
  return (
    <div className="shell">
      <nav aria-label="KeyTray">
        <p className="brand">KeyTray</p>
        {VIEWS.map((v) => (
          <button key={v.id} type="button" aria-current={view === v.id ? 'page' : undefined} onClick={() => setView(v.id)}>
            {v.label}
          </button>
        ))}
        <StartAtLogin />
        <InstallCli />
      </nav>
      <main>
        {error && (
          <div role="alert" className="error" data-testid="error">
            <p>{error.message}</p>
            {error.fix && <p>{error.fix}</p>}
          </div>
        )}
        <ImportBanner />
        {view === 'keys' && <KeysView />}
        {view === 'agents' && <AgentsView />}
        {view === 'status' && <StatusView />}
        {view === 'proxy' && <ProxyView />}
        {view === 'bindings' && <BindingsView />}
      </main>
    </div>
  );
}

function StartAtLogin() {
  const [on, setOn] = useState<boolean | null>(null);
  useEffect(() => {
    void call(window.keytray.appSettings({})).then((s) => setOn(s.launchAtLogin));
  }, []);
  if (on === null) return null;
  return (
    <label className="login-item">
      <input
        type="checkbox"
        checked={on}
        onChange={(e) =>
          void call(window.keytray.appSettings({ launchAtLogin: e.target.checked })).then((s) => setOn(s.launchAtLogin))
        }
      />
      Start at login
    </label>
  );
}

function InstallCli() {
  const act = useApp((s) => s.act);
  const [path, setPath] = useState<string | null>(null);
  return (
    <div className="install-cli">
      <button type="button" onClick={() => void act(async () => setPath((await call(window.keytray.installCli())).path), [])}>
        Install command-line tool
      </button>
      {path && (
        <p className="muted" role="status" data-testid="cli-installed">
          Installed {path}
        </p>
      )}
    </div>
  );
}
