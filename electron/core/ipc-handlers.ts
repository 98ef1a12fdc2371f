/**
 * The handler behind each IPC channel, on top of core. Plain Node: main
 * registers these with Electron, the browser tests call them directly.
 */
import { KeyTrayError } from '../../shared/errors';
import {
  type ChannelInput,
  type ChannelName,
  type ChannelOutput,
  type ClaudePlanView,
  INPUTS,
  type IpcResult,
  validationProblem,
} from '../../shared/ipc';
import type { ProxyLogEntry } from '../../shared/proxy-types';
import type { KeyListing } from '../../shared/vault-types';
import type { Situation } from './agents/claude-code/auth-inputs';
import type { ClaudeConfigurator, ConfigurePlan } from './agents/claude-code/configure';
import { readProxyLog } from './proxy/proxy-log';
import { testKey } from './vault/key-test';
import type { Vault } from './vault/vault';

export type Handlers = { [C in ChannelName]: (input: ChannelInput<C>) => Promise<ChannelOutput<C>> };

/** The system clipboard, as main has it. */
export interface Clipboard {
  writeText(text: string): void;
  readText(): string | Promise<string>;
  clear(): void;
}

export interface HandlerDeps {
  vault: Vault;
  claude: ClaudeConfigurator;
  /** The situation Claude Code starts in for a directory: the login-shell environment, the user's home. */
  situation(cwd?: string): Promise<Situation>;
  proxyStatus(): { running: boolean; port: number; error?: string };
  proxyLogPath: string;
  clipboard: Clipboard;
  /** Whether KeyTray starts when the user logs in (Electron's login item). */
  loginItem: { get(): boolean; set(on: boolean): void };
  /** Puts the `keytray` command on the user's PATH; returns where. */
  installCli(): Promise<string>;
  /** How long a revealed key may stay on screen, and a copied one in the clipboard. */
  revealMs?: number;
  clipboardMs?: number;
  /** Something changed that the window and tray should show. */
  changed?(kind: 'keys' | 'picture' | 'proxy'): void;
}

export function createHandlers(deps: HandlerDeps): Handlers {
  const { vault, claude } = deps;
  const revealMs = deps.revealMs ?? 20_000;
  const clipboardMs = deps.clipboardMs ?? 30_000;
  const changed = (kind: 'keys' | 'picture' | 'proxy') => deps.changed?.(kind);
  const keysChanged = <T>(result: T): T => {
    changed('keys');
    changed('picture');
    return result;
  };
  const plan = async (input: ChannelInput<'claude:plan'>): Promise<ConfigurePlan> =>
    claude.plan({
      scope: input.scope,
      situation: await deps.situation(input.cwd),
      ...(input.provider ? { provider: input.provider } : {}),
      ...(input.label ? { label: input.label } : {}),
      ...(input.mode ? { mode: input.mode } : {}),
      neutralizeEnv: input.neutralizeEnv ?? false,
    });

  return {
    'keys:list': async () => withLastUse(await vault.list(), await readProxyLog(deps.proxyLogPath, 2000)),
    'keys:add': async (input) =>
      keysChanged(
        await vault.add(input.provider, input.label, input.secret, {
          ...(input.replace ? { replace: true } : {}),
          ...(input.activate ? { activate: true } : {}),
          ...(input.auth ? { auth: input.auth } : {}),
          ...(input.profile ? { profile: input.profile } : {}),
        }),
      ),
    'keys:use': async (input) => keysChanged(await vault.use(input.provider, input.label)),
    'keys:remove': async (input) => keysChanged(await vault.remove(input.provider, input.label)),
    'keys:rename': async (input) => keysChanged(await vault.rename(input.provider, input.label, input.newLabel)),
    'keys:reveal': async (input) => ({
      secret: (await vault.secret(input.provider, input.label)).secret,
      visibleForMs: revealMs,
    }),
    'keys:copy': async (input) => {
      const { secret } = await vault.secret(input.provider, input.label);
      deps.clipboard.writeText(secret);
      // Cleared later only if it still holds the key: the user may have copied something else since.
      setTimeout(async () => {
        if ((await deps.clipboard.readText()) === secret) deps.clipboard.clear();
      }, clipboardMs).unref();
      return { clearsAfterMs: clipboardMs };
    },
    'keys:test': (input) => testKey(vault, input.provider, input.label),
    'provider:set': async (input) => {
      const view = await vault.configureProvider(input.provider, input.settings);
      changed('keys');
      return view;
    },
    'claude:plan': async (input) => planView(await plan(input)),
    'claude:apply': async (input) => {
      const { expectedDiff, ...target } = input;
      const planned = await plan(target);
      if (planned.settings.diff !== expectedDiff) {
        throw new KeyTrayError('inconsistent', `${planned.settings.path} changed since the preview; nothing was written.`, {
          fix: 'Look at the new preview and confirm again.',
        });
      }
      await claude.apply(planned);
      changed('picture');
      return planView(planned);
    },
    'claude:undo': async (input) => {
      const { settings, after } = await claude.undo(input.scope, await deps.situation(input.cwd));
      changed('picture');
      return { path: settings.path, diff: settings.diff, after };
    },
    'status:picture': async (input) => claude.picture(await deps.situation(input.cwd)),
    'proxy:status': async () => deps.proxyStatus(),
    'proxy:log': async (input) => ({ entries: await readProxyLog(deps.proxyLogPath, input.last) }),
    'app:settings': async (input) => {
      if (input.launchAtLogin !== undefined) deps.loginItem.set(input.launchAtLogin);
      return { launchAtLogin: deps.loginItem.get() };
    },
    'app:install-cli': async () => ({ path: await deps.installCli() }),
  };
}

/** Each key's last use through the proxy, from its request log. */
function withLastUse(listing: KeyListing, log: ProxyLogEntry[]): KeyListing {
  const last = new Map<string, string>();
  for (const entry of log)
    if (entry.provider && entry.label && entry.status < 400) last.set(`${entry.provider}/${entry.label}`, entry.time);
  if (last.size === 0) return listing;
  return {
    ...listing,
    providers: listing.providers.map((p) => ({
      ...p,
      keys: p.keys.map((k) => {
        const used = last.get(`${k.provider}/${k.label}`);
        return used ? { ...k, lastUsedAt: used } : k;
      }),
    })),
  };
}

function planView(plan: ConfigurePlan): ClaudePlanView {
  return {
    scope: plan.scope,
    path: plan.settings.path,
    binding: plan.binding,
    diff: plan.settings.diff,
    changed: plan.settings.diff !== '',
    before: plan.before,
    after: plan.after,
  };
}

/** Validates the input against the channel's schema, runs the handler and wraps the outcome in an envelope. */
export async function invoke<C extends ChannelName>(
  handlers: Handlers,
  channel: C,
  input: unknown,
): Promise<IpcResult<ChannelOutput<C>>> {
  if (!Object.hasOwn(INPUTS, channel)) return { ok: false, error: { code: 'usage', message: 'Unknown channel.' } };
  const checked = INPUTS[channel].safeParse(input);
  if (!checked.success) return { ok: false, error: { code: 'usage', message: validationProblem(channel, checked.error) } };
  try {
    const handler = handlers[channel] as (input: ChannelInput<C>) => Promise<ChannelOutput<C>>;
    return { ok: true, value: await handler(checked.data as ChannelInput<C>) };
  } catch (error) {
    if (error instanceof KeyTrayError) {
      return { ok: false, error: { code: error.code, message: error.message, ...(error.fix ? { fix: error.fix } : {}) } };
    }
    const kind = error instanceof Error ? error.name : typeof error;
    return { ok: false, error: { code: 'internal', message: `KeyTray failed unexpectedly (${kind}). Please report it.` } };
  }
}
