/**
 * The handler behind each IPC channel, on top of core. Plain Node: main
 * registers these with Electron, the browser tests call them directly.
 */

import { dirname } from 'node:path';
import { AGENT_IDS } from '../../shared/agents/catalog';
import { pictureLight } from '../../shared/agents/light';
import { KeyTrayError } from '../../shared/errors';
import {
  type AgentSummary,
  type ChannelInput,
  type ChannelName,
  type ChannelOutput,
  INPUTS,
  type IpcResult,
  validationProblem,
} from '../../shared/ipc';
import { providerIds } from '../../shared/providers';
import type { ProxyHold, ProxyLogEntry, ProxyStatus } from '../../shared/proxy-types';
import { budgetOverruns, spendToday, usageSeries } from '../../shared/usage';
import type { KeyListing } from '../../shared/vault-types';
import { type AgentPlan, planDiff, planView, publicBinding, writableFileAt } from './agents/agent';
import { bindingRows, forgetBinding } from './agents/bindings';
import { reconfigureProvider, renameKey, rotateProxyToken } from './agents/rebind';
import type { AgentRegistry } from './agents/registry';
import type { Situation } from './agents/situation';
import type { SettingsWriter } from './files/settings-writer';
import { applyImport, scanImport, undoImport } from './import/import-keys';
import { readProxyLog } from './proxy/proxy-log';
import { loadUsage, loadUsageSummary } from './usage/usage-summary';
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
  agents: AgentRegistry;
  /** The one writer for other tools' files, and KeyTray's data folder (`import:apply` writes through them). */
  writer: SettingsWriter;
  dataDir: string;
  /** The metadata file, for bindings forgotten from the window. */
  metadataPath: string;
  /** The situation an agent starts in for a directory: the login-shell environment, the user's home. */
  situation(cwd?: string): Promise<Situation>;
  proxyStatus(): ProxyStatus;
  /** Starts or stops the proxy at the user's word, or hands it back to the configurations. */
  holdProxy(held: ProxyHold): Promise<void>;
  proxyLogPath: string;
  /** Writes the usage the running proxy recorded so far, before the window reads the usage file. */
  flushUsage?(): Promise<void>;
  clipboard: Clipboard;
  /** Whether KeyTray starts when the user logs in (Electron's login item). */
  loginItem: { get(): boolean; set(on: boolean): void };
  /** Puts the `keytray` command on the user's PATH; returns where. */
  installCli(): Promise<string>;
  /** How long a revealed key may stay on screen, and a copied one in the clipboard. */
  revealMs?: number;
  clipboardMs?: number;
  /**
   * The user's own yes to showing a key, asked by main (a native dialog), so
   * a compromised renderer cannot read the keys by calling keys:reveal.
   */
  confirmReveal(key: string): Promise<boolean>;
  /** A folder picked by the user in main's own folder dialog (the renderer never browses the disk), or null. */
  pickFolder(title: string): Promise<string | null>;
  /** The clock reveals are counted by (tests give their own). */
  now?: () => number;
  /** Something changed that the window and tray should show. */
  changed?(kind: 'keys' | 'picture' | 'proxy'): void;
}

/** How many keys the window may show in a minute, each with the user's yes. */
const REVEALS_PER_MINUTE = 5;

export function createHandlers(deps: HandlerDeps): Handlers {
  const { vault, agents } = deps;
  const revealMs = deps.revealMs ?? 20_000;
  /** When keys were last shown, for the rate limit. */
  const reveals: number[] = [];
  const clipboardMs = deps.clipboardMs ?? 30_000;
  const changed = (kind: 'keys' | 'picture' | 'proxy') => deps.changed?.(kind);
  const keysChanged = <T>(result: T): T => {
    changed('keys');
    changed('picture');
    return result;
  };
  const plan = async (input: ChannelInput<'agent:plan'>): Promise<AgentPlan> => {
    const agent = agents[input.agent];
    const situation = await deps.situation(input.cwd);
    if (input.action === 'remove') return agent.planRemove(input.scope, situation);
    return agent.plan({
      situation,
      ...(input.scope ? { scope: input.scope } : {}),
      ...(input.provider ? { provider: input.provider } : {}),
      ...(input.label ? { label: input.label } : {}),
      ...(input.mode ? { mode: input.mode } : {}),
      ...(input.neutralizeEnv ? { neutralizeEnv: true } : {}),
      ...(input.force ? { force: true } : {}),
    });
  };

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
    'keys:rename': async (input) => {
      const { key, files } = await renameKey(agents, vault, input.provider, input.label, input.newLabel);
      return keysChanged({ key, files });
    },
    'keys:reveal': async (input) => {
      const key = `${input.provider}/${input.label}`;
      // At most REVEALS_PER_MINUTE, asked or not: a renderer gone wrong cannot even keep asking.
      const now = (deps.now ?? Date.now)();
      while (reveals.length && (reveals[0] as number) <= now - 60_000) reveals.shift();
      if (reveals.length >= REVEALS_PER_MINUTE) {
        throw new KeyTrayError('usage', `KeyTray showed ${REVEALS_PER_MINUTE} keys in the last minute; ${key} was not shown.`, {
          fix: 'Wait a minute, or copy the key instead (the clipboard is cleared after 30 seconds).',
        });
      }
      reveals.push(now);
      await vault.show(input.provider, input.label);
      if (!(await deps.confirmReveal(key))) throw new KeyTrayError('usage', `${key} was not shown: the request was cancelled.`);
      return { secret: (await vault.secret(input.provider, input.label)).secret, visibleForMs: revealMs };
    },
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
      const view = await vault.configureProvider(input.provider, {
        ...input.settings,
        ...(input.models ? { models: input.models } : {}),
      });
      const files = await reconfigureProvider(agents, vault, view.id);
      changed('keys');
      return { ...view, files };
    },
    'provider:add': async (input) => {
      const view = await vault.defineProvider(input.id, input.definition);
      changed('keys');
      return view;
    },
    'provider:edit': async (input) => {
      const view = await vault.defineProvider(input.id, input.definition, { replace: true });
      const files = await reconfigureProvider(agents, vault, input.id);
      changed('keys');
      return { ...view, files };
    },
    'provider:remove': async (input) => {
      await vault.removeProvider(input.id);
      changed('keys');
      return { removed: input.id };
    },
    'agent:list': async (input) => {
      const situation = await deps.situation(input.cwd);
      // Every agent KeyTray knows, installed or not: the window offers to configure each one.
      const found = AGENT_IDS.map((id) => agents[id]);
      const meta = await vault.readMetadata();
      const summaries = await Promise.all(
        found.map(async (agent): Promise<AgentSummary> => {
          const [{ installed, configured }, picture] = await Promise.all([agent.detect(situation), agent.picture(situation)]);
          // The bound file that wins for this folder (configFiles lists the highest precedence first).
          const bound = agent.configFiles(situation).flatMap((f) => {
            const binding = meta.bindings?.[agent.info.id]?.[f.path];
            const file = binding && writableFileAt(agent, situation, f.path);
            return binding && file ? [{ ...publicBinding(binding), path: f.path, scope: file.scope }] : [];
          });
          return {
            id: agent.info.id,
            label: agent.info.label,
            installed,
            configured,
            light: pictureLight(picture),
            binding: bound[0] ?? null,
            picture,
          };
        }),
      );
      return { cwd: situation.cwd, home: situation.home, agents: summaries };
    },
    'agent:picture': async (input) => agents[input.agent].picture(await deps.situation(input.cwd)),
    'agent:plan': async (input) => planView(await plan(input)),
    'agent:apply': async (input) => {
      const { expectedDiff, ...target } = input;
      const planned = await plan(target);
      if (planDiff(planned) !== expectedDiff) {
        throw new KeyTrayError('inconsistent', `${planned.bindingPath} changed since the preview; nothing was written.`, {
          fix: 'Look at the new preview and confirm again.',
        });
      }
      await agents[input.agent].apply(planned);
      changed('picture');
      return planView(planned);
    },
    'agent:undo': async (input) => {
      const { files, after } = await agents[input.agent].undo(input.scope, await deps.situation(input.cwd));
      changed('picture');
      return { paths: files.map((f) => f.path), diff: planDiff({ files }), after };
    },
    'agent:import-key': async (input) => {
      const moved = await agents[input.agent].importKey(await deps.situation(input.cwd), input.label);
      changed('keys');
      changed('picture');
      return moved;
    },
    'bindings:list': async () => ({ bindings: bindingRows(await vault.readMetadata()) }),
    'bindings:forget': async (input) => {
      await forgetBinding(deps.metadataPath, await vault.readMetadata(), input.agent, input.path);
      changed('picture');
      return { bindings: bindingRows(await vault.readMetadata()) };
    },
    'proxy:status': async () => deps.proxyStatus(),
    'proxy:rotate-token': async () => {
      const result = await rotateProxyToken(agents, vault);
      changed('picture');
      changed('proxy');
      return result;
    },
    'proxy:hold': async (input) => {
      await deps.holdProxy(input.held);
      changed('proxy');
      return deps.proxyStatus();
    },
    'proxy:log': async (input) => ({ entries: await readProxyLog(deps.proxyLogPath, input.last) }),
    'usage:summary': async (input) => {
      await deps.flushUsage?.();
      const config = dirname(deps.metadataPath);
      const now = new Date();
      const since = new Date(`${new Date(now.getTime() - (input.days - 1) * 86_400_000).toISOString().slice(0, 10)}T00:00:00Z`);
      const [{ records, prices }, summary, meta] = await Promise.all([
        loadUsage(config),
        loadUsageSummary(config, { by: input.by, since }),
        vault.readMetadata(),
      ]);
      return {
        summary,
        byKey: usageSeries(records, 'key', input.days, now),
        byAgent: usageSeries(records, 'agent', input.days, now),
        overBudget: budgetOverruns(
          providerIds().flatMap((provider) => (meta.providers[provider]?.keys ?? []).map((k) => ({ provider, ...k }))),
          spendToday(records, prices, now),
        ),
      };
    },
    'keys:budget': async (input) => keysChanged(await vault.setBudget(input.provider, input.label, input.usd)),
    'provider:fallback': async (input) => keysChanged(await vault.setFallback(input.provider, input.on)),
    'app:settings': async (input) => {
      if (input.launchAtLogin !== undefined) deps.loginItem.set(input.launchAtLogin);
      return { launchAtLogin: deps.loginItem.get() };
    },
    'app:install-cli': async () => ({ path: await deps.installCli() }),
    'app:pick-folder': async (input) => ({ path: await deps.pickFolder(input.title) }),
    'import:scan': async (input) => scanImport(deps, await deps.situation(input.cwd)),
    'import:apply': async (input) => {
      const picks = input.picks?.map((p) => ({ id: p.id, ...(p.provider ? { provider: p.provider } : {}) }));
      const result = await applyImport(deps, await deps.situation(input.cwd), picks ?? 'all');
      changed('keys');
      changed('picture');
      return result;
    },
    'import:undo': async () => {
      const { paths } = await undoImport(deps, await deps.situation());
      changed('picture');
      return { restored: paths };
    },
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
