/**
 * The window's state, fed by IPC: metadata, masks and pictures only. A
 * revealed key never enters this store; the row that shows it keeps it.
 */
import { create } from 'zustand';
import { AGENT_IDS, AGENTS, type AgentId, type ConfigurableMode } from '../../../shared/agents/catalog';
import type { AgentPlanView, AgentSummary, Outputs } from '../../../shared/ipc';
import { isProviderId, knowCustomProviders, providerInfo } from '../../../shared/providers';
import type { ProxyLogEntry, ProxyStatus } from '../../../shared/proxy-types';
import type { KeyListing } from '../../../shared/vault-types';
import { asUiError, call, type UiError } from '../ipc';

export type View = 'overview' | 'keys' | 'agents' | 'status' | 'bindings' | 'proxy' | 'usage';

/** What the configure form holds for one agent. */
export interface AgentForm {
  scope: string;
  cwd: string;
  /** Null for an agent KeyTray writes nothing for (ant). */
  mode: ConfigurableMode | null;
  provider: string;
  /** A named key; empty for the provider's active key. */
  label: string;
  neutralizeEnv: boolean;
}

interface AppState {
  view: View;
  listing: KeyListing | null;
  /** Every agent found on this machine, with its picture for `pictureCwd`. */
  agents: AgentSummary[] | null;
  /** The user's home, to show paths with `~`. */
  home: string;
  pictureCwd: string;
  /** The agent whose configure form is open. */
  selected: AgentId | null;
  forms: Record<AgentId, AgentForm>;
  plan: AgentPlanView | null;
  result: string | null;
  proxy: ProxyStatus | null;
  /** Usage through the proxy: today (the overview's card) and the last seven days by key (the key rows' sparklines). */
  usageToday: Outputs['usage:summary'] | null;
  usageWeek: Outputs['usage:summary'] | null;
  refreshUsage(): Promise<void>;
  log: ProxyLogEntry[];
  loading: boolean;
  error: UiError | null;
  /** Short confirmations, each gone after a few seconds (never a key). */
  toasts: { id: number; text: string }[];
  toast(text: string): void;
  setView(view: View): void;
  select(agent: AgentId | null): void;
  setForm(agent: AgentId, change: Partial<AgentForm>): void;
  setPictureCwd(cwd: string): void;
  refreshKeys(): Promise<void>;
  refreshAgents(): Promise<void>;
  refreshProxy(): Promise<void>;
  /** Runs an action, shows its error if it fails, refreshes what it touched. */
  act(action: () => Promise<unknown>, refresh?: ('keys' | 'agents' | 'proxy')[]): Promise<boolean>;
  preview(agent: AgentId, action?: 'configure' | 'remove'): Promise<void>;
  apply(): Promise<void>;
  undo(agent: AgentId): Promise<void>;
  importKey(agent: 'codex' | 'gemini-cli' | 'opencode'): Promise<void>;
}

function defaultForm(agent: AgentId): AgentForm {
  const info = AGENTS[agent];
  return {
    scope: info.scopes[0] ?? 'user',
    cwd: '',
    mode: info.defaultMode,
    provider: info.providers[0] ?? '',
    label: '',
    neutralizeEnv: false,
  };
}

/** The form for an agent as KeyTray configured it (its binding in force), else the defaults. */
function formFor(agent: AgentId, summary: AgentSummary, cwd: string): AgentForm {
  const binding = summary.binding;
  if (!binding) return defaultForm(agent);
  return {
    ...defaultForm(agent),
    scope: binding.scope,
    cwd: binding.scope === 'user' ? '' : cwd,
    provider: binding.provider,
    label: binding.label ?? '',
    mode: binding.mode === 'proxy' ? 'proxy' : 'helper',
  };
}

/** The form as an IPC target: only what the agent takes. */
function target(agent: AgentId, form: AgentForm) {
  const info = AGENTS[agent];
  return {
    agent,
    scope: form.scope,
    ...(form.scope !== 'user' && form.cwd ? { cwd: form.cwd } : {}),
    provider: form.provider as (typeof info.providers)[number],
    ...(form.label ? { label: form.label } : {}),
    // AWS providers pick their own mode (native with a profile, proxy with stored keys).
    ...(info.configurableModes.length > 1 && form.mode && !isRegional(form.provider) ? { mode: form.mode } : {}),
    ...(info.options.includes('neutralizeEnv') ? { neutralizeEnv: form.neutralizeEnv } : {}),
  };
}

/** An AWS-hosted provider, whose mode follows from its key (a profile signs natively; a stored key goes through the proxy). */
export function isRegional(provider: string): boolean {
  return isProviderId(provider) && providerInfo(provider).regional;
}

const VIEWS: readonly View[] = ['overview', 'keys', 'agents', 'status', 'bindings', 'proxy', 'usage'];

/** The view the address names (`#keys`), else the overview: where the window opens. */
function viewInHash(): View {
  const named = window.location.hash.slice(1);
  return (VIEWS as readonly string[]).includes(named) ? (named as View) : 'overview';
}

const TOAST_MS = 4000;
let nextToast = 1;

export const useApp = create<AppState>((set, get) => ({
  view: viewInHash(),
  listing: null,
  agents: null,
  home: '',
  pictureCwd: '',
  selected: null,
  forms: Object.fromEntries(AGENT_IDS.map((id) => [id, defaultForm(id)])) as Record<AgentId, AgentForm>,
  plan: null,
  result: null,
  proxy: null,
  usageToday: null,
  usageWeek: null,
  log: [],
  loading: false,
  error: null,
  toasts: [],
  toast(text) {
    const id = nextToast++;
    set((s) => ({ toasts: [...s.toasts, { id, text }] }));
    setTimeout(() => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })), TOAST_MS);
  },
  setView: (view) => {
    // The view is in the address too, so a reload stays where the person was.
    window.history.replaceState(null, '', `#${view}`);
    set({ view, error: null });
  },
  // Opening a form loads the configuration in force, so that a preview never proposes to revert it.
  select: (selected) =>
    set((s) => {
      const summary = selected ? s.agents?.find((a) => a.id === selected) : undefined;
      const forms = selected && summary ? { ...s.forms, [selected]: formFor(selected, summary, s.pictureCwd) } : s.forms;
      return { selected, forms, plan: null, result: null };
    }),
  setForm: (agent, change) =>
    set((s) => ({ forms: { ...s.forms, [agent]: { ...s.forms[agent], ...change } }, plan: null, result: null })),
  setPictureCwd: (pictureCwd) => set({ pictureCwd }),
  async refreshKeys() {
    set({ loading: true });
    try {
      const listing = await call(window.keytray.listKeys());
      // The providers the user defined, known to the catalog lookups the views make.
      knowCustomProviders(listing.custom);
      set({ listing, loading: false });
    } catch (error) {
      set({ error: asUiError(error), loading: false });
    }
  },
  async refreshAgents() {
    const cwd = get().pictureCwd;
    try {
      const { agents, home } = await call(window.keytray.listAgents(cwd ? { cwd } : {}));
      set({ agents, home });
    } catch (error) {
      set({ error: asUiError(error) });
    }
  },
  async refreshUsage() {
    try {
      const [usageToday, usageWeek] = await Promise.all([
        call(window.keytray.usageSummary({ by: 'key', days: 1 })),
        call(window.keytray.usageSummary({ by: 'key', days: 7 })),
      ]);
      set({ usageToday, usageWeek });
    } catch (error) {
      set({ error: asUiError(error) });
    }
  },
  async refreshProxy() {
    try {
      const [proxy, log] = await Promise.all([call(window.keytray.proxyStatus()), call(window.keytray.proxyLog({ last: 100 }))]);
      set({ proxy, log: log.entries });
    } catch (error) {
      set({ error: asUiError(error) });
    }
  },
  async act(action, refresh = ['keys', 'agents']) {
    set({ error: null });
    try {
      await action();
    } catch (error) {
      set({ error: asUiError(error) });
      return false;
    }
    const s = get();
    await Promise.all(
      refresh.map((r) => (r === 'keys' ? s.refreshKeys() : r === 'agents' ? s.refreshAgents() : s.refreshProxy())),
    );
    return true;
  },
  async preview(agent, action = 'configure') {
    await get().act(async () => {
      const base = target(agent, get().forms[agent]);
      const input =
        action === 'remove' ? { agent, scope: base.scope, ...('cwd' in base ? { cwd: base.cwd } : {}), action } : base;
      set({ selected: agent, plan: await call(window.keytray.planAgent(input)), result: null });
    }, []);
  },
  async apply() {
    const plan = get().plan;
    if (!plan) return;
    await get().act(async () => {
      const base = target(plan.agent, get().forms[plan.agent]);
      const input =
        plan.action === 'remove'
          ? { agent: plan.agent, scope: base.scope, ...('cwd' in base ? { cwd: base.cwd } : {}), action: plan.action }
          : base;
      const applied = await call(window.keytray.applyAgent({ ...input, expectedDiff: plan.diff }));
      const paths = applied.files.filter((f) => f.diff !== '').map((f) => f.path);
      set({
        plan: null,
        result: applied.changed ? `Updated ${paths.join(' and ')}.` : `${applied.path} already had this configuration.`,
      });
    });
  },
  async undo(agent) {
    await get().act(async () => {
      const form = get().forms[agent];
      const undone = await call(
        window.keytray.undoAgent({ agent, scope: form.scope, ...(form.scope !== 'user' && form.cwd ? { cwd: form.cwd } : {}) }),
      );
      set({ selected: agent, plan: null, result: `Restored ${undone.paths.join(' and ')} as before KeyTray's last change.` });
    });
  },
  async importKey(agent) {
    await get().act(async () => {
      const moved = await call(window.keytray.importAgentKey({ agent }));
      set({ result: `Moved the key in ${moved.path} into the keychain as ${moved.key.provider}/${moved.key.label}.` });
    });
  },
}));
