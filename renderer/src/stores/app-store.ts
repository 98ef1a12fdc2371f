/**
 * The window's state, fed by IPC: metadata, masks and pictures only. A
 * revealed key never enters this store; the row that shows it keeps it.
 */
import { create } from 'zustand';
import type { AuthPicture } from '../../../shared/agents/claude-code/auth-picture';
import type { WritableScope } from '../../../shared/agents/claude-code/scopes';
import type { ClaudePlanView } from '../../../shared/ipc';
import type { ProxyLogEntry } from '../../../shared/proxy-types';
import type { KeyListing } from '../../../shared/vault-types';
import { asUiError, call, type UiError } from '../ipc';

export type View = 'keys' | 'claude' | 'status' | 'proxy';

export interface ClaudeForm {
  scope: WritableScope;
  cwd: string;
  mode: 'helper' | 'proxy';
  provider: 'anthropic' | 'anthropic-aws' | 'bedrock';
  /** A named key; empty for the provider's active key. */
  label: string;
  neutralizeEnv: boolean;
}

interface AppState {
  view: View;
  listing: KeyListing | null;
  picture: AuthPicture | null;
  pictureCwd: string;
  plan: ClaudePlanView | null;
  result: string | null;
  claude: ClaudeForm;
  proxy: { running: boolean; port: number; error?: string } | null;
  log: ProxyLogEntry[];
  loading: boolean;
  error: UiError | null;
  setView(view: View): void;
  setClaude(change: Partial<ClaudeForm>): void;
  setPictureCwd(cwd: string): void;
  refreshKeys(): Promise<void>;
  refreshPicture(): Promise<void>;
  refreshProxy(): Promise<void>;
  /** Runs an action, shows its error if it fails, refreshes what it touched. */
  act(action: () => Promise<unknown>, refresh?: ('keys' | 'picture' | 'proxy')[]): Promise<boolean>;
  previewClaude(): Promise<void>;
  applyClaude(): Promise<void>;
  undoClaude(): Promise<void>;
}

const target = (c: ClaudeForm) => ({
  scope: c.scope,
  ...(c.scope !== 'user' && c.cwd ? { cwd: c.cwd } : {}),
  provider: c.provider,
  ...(c.label ? { label: c.label } : {}),
  ...(c.provider === 'anthropic' ? { mode: c.mode } : {}),
  neutralizeEnv: c.neutralizeEnv,
});

export const useApp = create<AppState>((set, get) => ({
  view: 'keys',
  listing: null,
  picture: null,
  pictureCwd: '',
  plan: null,
  result: null,
  claude: { scope: 'user', cwd: '', mode: 'helper', provider: 'anthropic', label: '', neutralizeEnv: false },
  proxy: null,
  log: [],
  loading: false,
  error: null,
  setView: (view) => set({ view, error: null }),
  setClaude: (change) => set((s) => ({ claude: { ...s.claude, ...change }, plan: null, result: null })),
  setPictureCwd: (pictureCwd) => set({ pictureCwd }),
  async refreshKeys() {
    set({ loading: true });
    try {
      set({ listing: await call(window.keytray.listKeys()), loading: false });
    } catch (error) {
      set({ error: asUiError(error), loading: false });
    }
  },
  async refreshPicture() {
    const cwd = get().pictureCwd;
    try {
      set({ picture: await call(window.keytray.authPicture(cwd ? { cwd } : {})) });
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
  async act(action, refresh = ['keys', 'picture']) {
    set({ error: null });
    try {
      await action();
    } catch (error) {
      set({ error: asUiError(error) });
      return false;
    }
    const s = get();
    await Promise.all(
      refresh.map((r) => (r === 'keys' ? s.refreshKeys() : r === 'picture' ? s.refreshPicture() : s.refreshProxy())),
    );
    return true;
  },
  async previewClaude() {
    await get().act(async () => set({ plan: await call(window.keytray.planClaude(target(get().claude))), result: null }), []);
  },
  async applyClaude() {
    const plan = get().plan;
    if (!plan) return;
    await get().act(async () => {
      const applied = await call(window.keytray.applyClaude({ ...target(get().claude), expectedDiff: plan.diff }));
      set({
        plan: null,
        result: applied.changed ? `Updated ${applied.path}.` : `${applied.path} already had this configuration.`,
      });
    });
  },
  async undoClaude() {
    await get().act(async () => {
      const undone = await call(
        window.keytray.undoClaude({ scope: get().claude.scope, ...(get().claude.cwd ? { cwd: get().claude.cwd } : {}) }),
      );
      set({ plan: null, result: `Restored ${undone.path} as it was before KeyTray's last change.` });
    });
  },
}));
