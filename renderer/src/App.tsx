import { Activity, Bot, ChartColumn, KeyRound, LayoutDashboard, Link2, type LucideIcon, Network } from 'lucide-react';
import { useEffect, useState } from 'react';
import { AgentsView } from './components/AgentsView';
import { BindingsView } from './components/BindingsView';
import { ImportBanner } from './components/ImportBanner';
import { KeysView } from './components/KeysView';
import { OverviewView } from './components/OverviewView';
import { ProxyView } from './components/ProxyView';
import { StatusView } from './components/StatusView';
import { UsageView } from './components/UsageView';
import { call } from './ipc';
import { useApp, type View } from './stores/app-store';
import { TooltipProvider } from './ui/Button';
import { Toasts } from './ui/Toast';

const VIEWS: { id: View; label: string; icon: LucideIcon }[] = [
  { id: 'overview', label: 'Overview', icon: LayoutDashboard },
  { id: 'keys', label: 'Keys', icon: KeyRound },
  { id: 'agents', label: 'Agents', icon: Bot },
  { id: 'status', label: 'Auth status', icon: Activity },
  { id: 'bindings', label: 'Bindings', icon: Link2 },
  { id: 'proxy', label: 'Proxy', icon: Network },
  { id: 'usage', label: 'Usage', icon: ChartColumn },
];

export function App() {
  const { view, setView, error, refreshKeys, refreshAgents, refreshProxy, refreshUsage } = useApp();
  useEffect(() => {
    void refreshKeys();
    void refreshAgents();
    void refreshProxy();
    void refreshUsage();
    return window.keytray.onStateChanged((event) => {
      if (event.kind === 'keys') void Promise.all([refreshKeys(), refreshUsage()]);
      else if (event.kind === 'picture') void refreshAgents();
      else if (event.kind === 'proxy') void refreshProxy();
      else if (event.kind === 'usage') void refreshUsage();
    });
  }, [refreshKeys, refreshAgents, refreshProxy, refreshUsage]);
  return (
    <TooltipProvider>
      <div className="shell">
        <nav aria-label="KeyTray">
          <p className="brand">KeyTray</p>
          {VIEWS.map((v) => (
            <button
              key={v.id}
              type="button"
              className="nav-item"
              aria-current={view === v.id ? 'page' : undefined}
              onClick={() => setView(v.id)}
            >
              <v.icon aria-hidden="true" size={16} />
              {v.label}
            </button>
          ))}
          <div className="nav-extras">
            <StartAtLogin />
            <InstallCli />
          </div>
        </nav>
        <main>
          {error && (
            <div role="alert" className="error" data-testid="error">
              <p>{error.message}</p>
              {error.fix && <p>{error.fix}</p>}
            </div>
          )}
          <ImportBanner />
          {view === 'overview' && <OverviewView />}
          {view === 'keys' && <KeysView />}
          {view === 'agents' && <AgentsView />}
          {view === 'status' && <StatusView />}
          {view === 'proxy' && <ProxyView />}
          {view === 'bindings' && <BindingsView />}
          {view === 'usage' && <UsageView />}
        </main>
        <Toasts />
      </div>
    </TooltipProvider>
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
