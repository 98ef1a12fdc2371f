/**
 * OpenCode behind the agent seam. OpenCode has no key command, so KeyTray
 * writes two things: a plugin of its own (`plugins/keytray.js` in OpenCode's
 * config folder) whose `chat.headers` hook asks KeyTray's helper for the key
 * (helper mode) or the proxy token (proxy mode), and, in the user's
 * opencode.json, the provider's `baseURL` (the upstream, or the proxy) with a
 * placeholder `apiKey` that only makes OpenCode build the provider. No key
 * or token is ever written to a file.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { AGENTS, type ConfigurableMode } from '../../../../shared/agents/catalog';
import {
  computeOpenCodePicture,
  KEYTRAY_API_KEY,
  type OpenCodeApiKey,
  type OpenCodeInputs,
  type OpenCodeProvider,
} from '../../../../shared/agents/opencode/picture';
import { PLUGIN_FILE_NAME, type PluginSpec, pluginText, readPluginSpec } from '../../../../shared/agents/opencode/plugin';
import type { AgentPicture } from '../../../../shared/agents/picture';
import { KeyTrayError } from '../../../../shared/errors';
import { asRecord, type Change } from '../../../../shared/formats/file-format';
import { helperArgs, helperTargetFor, parseHelperArgs } from '../../../../shared/helper-command';
import { maskSecret } from '../../../../shared/mask';
import type { AgentBinding } from '../../../../shared/metadata';
import type { ProviderId } from '../../../../shared/providers';
import { proxyRouteOf } from '../../../../shared/proxy-types';
import { exists } from '../../files/exists';
import { FORMATS } from '../../files/formats';
import { planOwnedFile, planSettingsChange, readSettingsFile, type SettingsPlan } from '../../files/settings-writer';
import {
  type AgentIntegration,
  type AgentPlan,
  type ConfigFile,
  type ConfigureRequest,
  scopeOf,
  type UndoResult,
} from '../agent';
import type { AgentDeps } from '../agent-deps';
import { applyHelperPlan, bindingOf, detectAgent, undoAgentFiles } from '../bindings';
import { helperScriptPath } from '../helper-script';
import { describeTarget, upstreamBase } from '../helper-target';
import { type ImportedKey, moveKeyIntoKeychain } from '../import-key';
import type { Situation } from '../situation';
import { openCodeLeakFiles, scanForLeaks } from './leak-scan';

const info = AGENTS.opencode;

/** `$XDG_CONFIG_HOME/opencode`, else `~/.config/opencode`. */
export function openCodeConfigDir(situation: Situation): string {
  return join(situation.env.XDG_CONFIG_HOME || join(situation.home, '.config'), 'opencode');
}

/** `$XDG_DATA_HOME/opencode`, else `~/.local/share/opencode`: auth.json, logs, the database. */
export function openCodeDataDir(situation: Situation): string {
  return join(situation.env.XDG_DATA_HOME || join(situation.home, '.local', 'share'), 'opencode');
}

/** The settings KeyTray owns under `provider.<id>.options`. */
const OWNED_OPTIONS = ['baseURL', 'apiKey'] as const;
const optionPath = (provider: string, name: string) => ['provider', provider, 'options', name];
const wroteKey = (provider: string, name: string) => `provider.${provider}.options.${name}`;

export class OpenCodeAgent implements AgentIntegration {
  readonly info = info;

  constructor(private readonly deps: AgentDeps) {}

  configFiles(situation: Situation): ConfigFile[] {
    return [
      { scope: 'user', path: this.configPath(situation), format: 'jsonc-commas', writable: true },
      { scope: 'user', path: this.pluginPath(situation), format: 'owned', writable: true },
    ];
  }

  /** The user's opencode.json (opencode.jsonc when only that one exists). */
  private configPath(situation: Situation): string {
    const dir = openCodeConfigDir(situation);
    const jsonc = join(dir, 'opencode.jsonc');
    const json = join(dir, 'opencode.json');
    return existsSync(jsonc) && !existsSync(json) ? jsonc : json;
  }

  private pluginPath(situation: Situation): string {
    return join(openCodeConfigDir(situation), 'plugins', PLUGIN_FILE_NAME);
  }

  detect(situation: Situation): Promise<{ installed: boolean; configured: boolean }> {
    return detectAgent(info, this.deps.vault, situation);
  }

  async picture(situation: Situation): Promise<AgentPicture> {
    return computeOpenCodePicture(await this.inputs(situation));
  }

  /** What the picture needs, with files as they are, or as a plan would leave them (`planned`, by path). */
  private async inputs(
    situation: Situation,
    planned: Record<string, string | null> = {},
    plannedScript?: string,
  ): Promise<OpenCodeInputs> {
    const read = async (path: string) =>
      path in planned ? (planned[path] ?? null) : await readSettingsFile(path).catch(() => null);
    const configProblems: string[] = [];
    let model: OpenCodeInputs['model'] = null;
    const providers: Record<string, OpenCodeProvider> = {};
    for (const source of await this.configSources(situation)) {
      const text = source.text ?? (await read(source.path));
      if (text === null) continue;
      const parsed = FORMATS['jsonc-commas'].parse(text);
      if (!parsed.ok) {
        configProblems.push(
          `${source.path} is not valid JSON: ${parsed.problem} at line ${parsed.line}, column ${parsed.column}.`,
        );
        continue;
      }
      const config = parsed.value;
      if (typeof config.model === 'string') model = { value: config.model, origin: source.path };
      for (const [id, table] of Object.entries(asRecord(config.provider))) {
        const options = asRecord(asRecord(table).options);
        const entry = providers[id] ?? {};
        providers[id] = entry;
        if (typeof options.baseURL === 'string') entry.baseURL = { value: options.baseURL, origin: source.path };
        if (typeof options.apiKey === 'string') entry.apiKey = await resolveApiKey(options.apiKey, source.path, situation);
      }
    }
    const pluginPath = this.pluginPath(situation);
    const pluginText = await read(pluginPath);
    const spec = pluginText === null ? null : readPluginSpec(pluginText);
    const dataDir = openCodeDataDir(situation);
    const meta = await this.deps.vault.readMetadata();
    const inputs: OpenCodeInputs = {
      cwd: situation.cwd,
      configPath: this.configPath(situation),
      configProblems,
      model,
      providers,
      authJson: await readAuthJson(join(dataDir, 'auth.json')),
      env: situation.env,
      envOrigin: situation.envOrigin,
      plugin: spec ? { path: pluginPath, spec } : null,
      leaks: await scanForLeaks(await openCodeLeakFiles(dataDir, situation.env.OPENCODE_DB), meta),
    };
    const selected = model?.value.split('/')[0];
    const binding = spec?.bindings.find((b) => b.provider === selected);
    const target = binding ? parseHelperArgs(binding.args) : null;
    if (spec && binding && target) {
      const route = proxyRouteOf(binding.baseURL);
      inputs.helper = await describeTarget(
        spec.helper,
        target,
        this.deps.vault,
        route ? { url: binding.baseURL, ...route } : null,
        'opencode',
        helperScriptPath(this.deps.dataDir, situation.platform),
        plannedScript,
      );
    }
    return inputs;
  }

  /** The config files OpenCode merges, lowest first: the user's, OPENCODE_CONFIG, the project's, the inline one. */
  private async configSources(situation: Situation): Promise<{ path: string; text?: string }[]> {
    const dir = openCodeConfigDir(situation);
    const sources: { path: string; text?: string }[] = ['config.json', 'opencode.json', 'opencode.jsonc'].map((name) => ({
      path: join(dir, name),
    }));
    if (situation.env.OPENCODE_CONFIG) sources.push({ path: resolve(situation.cwd, situation.env.OPENCODE_CONFIG) });
    if (!situation.env.OPENCODE_DISABLE_PROJECT_CONFIG) {
      // From the project's top folder down to the working folder: the nearest wins.
      const top = situation.projectRoot ?? situation.cwd;
      const chain: string[] = [];
      for (let d = situation.cwd; ; d = dirname(d)) {
        chain.unshift(d);
        if (d === top || dirname(d) === d) break;
      }
      for (const d of chain) {
        if (d === dirname(dir)) continue;
        for (const name of ['opencode.json', 'opencode.jsonc'])
          if (await exists(join(d, name))) sources.push({ path: join(d, name) });
      }
    }
    if (situation.env.OPENCODE_CONFIG_CONTENT) {
      sources.push({ path: 'OPENCODE_CONFIG_CONTENT', text: situation.env.OPENCODE_CONFIG_CONTENT });
    }
    return sources;
  }

  async plan(request: ConfigureRequest): Promise<AgentPlan> {
    const { situation } = request;
    const scope = scopeOf(info, request.scope);
    const path = this.configPath(situation);
    const meta = await this.deps.vault.readMetadata();
    const remembered = bindingOf(meta, 'opencode', path);
    // The provider of the model OpenCode is set to use, when KeyTray can serve it.
    const modelProvider = (await this.inputs(situation)).model?.value.split('/')[0];
    const preferred = info.providers.find((p) => p === modelProvider) ?? 'anthropic';
    const provider = checkProvider(request.provider ?? remembered?.provider ?? preferred);
    const label = request.label ?? (request.provider === undefined ? remembered?.label : undefined);
    const mode: ConfigurableMode = request.mode ?? remembered?.mode ?? 'helper';
    // The key must exist: without it the plugin stops every request with an error.
    const key = await this.deps.vault.show(provider, label);
    const target = helperTargetFor(mode, provider, label, key.label);
    const baseURL = `${await upstreamBase(this.deps.vault, provider, mode, meta)}/v1`;
    const helper = helperScriptPath(this.deps.dataDir, situation.platform);

    const changes: Change[] = [];
    // Another provider KeyTray bound before: its entries go (only those still as KeyTray wrote them).
    if (remembered && remembered.provider !== provider) {
      changes.push(...(await this.removals(path, remembered)));
    }
    changes.push(
      { path: optionPath(provider, 'baseURL'), value: baseURL },
      { path: optionPath(provider, 'apiKey'), value: KEYTRAY_API_KEY },
    );
    const config = await planSettingsChange(path, changes, FORMATS['jsonc-commas']);
    const replaced = replacedSettings(config.before, provider, remembered);
    const spec: PluginSpec = { helper, bindings: [{ provider, baseURL, args: helperArgs(target) }] };
    const plugin = await planOwnedFile(this.pluginPath(situation), pluginText(spec));
    const binding: AgentBinding = {
      provider,
      ...(label ? { label } : {}),
      ...(mode === 'proxy' ? { mode } : {}),
      wrote: { [wroteKey(provider, 'baseURL')]: baseURL, [wroteKey(provider, 'apiKey')]: KEYTRAY_API_KEY },
      ...(Object.keys(replaced).length > 0 ? { replaced } : {}),
    };
    return this.finish('configure', scope, binding, situation, [config, plugin], helper);
  }

  /**
   * Takes out KeyTray's settings of a binding, where they still hold what it wrote, and the objects
   * left empty; what KeyTray replaced (a base URL, a `{env:…}` key reference) comes back instead.
   */
  private async removals(path: string, binding: AgentBinding | undefined): Promise<Change[]> {
    const text = await readSettingsFile(path);
    const parsed = text === null ? null : FORMATS['jsonc-commas'].parse(text);
    const config = parsed?.ok ? parsed.value : {};
    const changes: Change[] = [];
    const providers = asRecord(config.provider);
    for (const [id, table] of Object.entries(providers)) {
      const options = asRecord(asRecord(table).options);
      // KeyTray's placeholder marks its provider; the base URL goes when it is the one KeyTray wrote.
      if (options.apiKey !== KEYTRAY_API_KEY) continue;
      const wrote = binding?.provider === id ? binding.wrote : undefined;
      const owned = OWNED_OPTIONS.filter(
        (name) => name === 'apiKey' || (wrote?.[wroteKey(id, name)] ?? undefined) === options[name] || isProxyUrl(options[name]),
      );
      const replaced = binding?.provider === id ? (binding.replaced ?? {}) : {};
      const restore = (name: string) => replaced[wroteKey(id, name)];
      const rest = Object.keys(options).filter((k) => !(owned as readonly string[]).includes(k) || restore(k) !== undefined);
      const others = Object.keys(asRecord(table)).filter((k) => k !== 'options');
      if (rest.length > 0) for (const name of owned) changes.push({ path: optionPath(id, name), value: restore(name) });
      else if (others.length > 0) changes.push({ path: ['provider', id, 'options'], value: undefined });
      else if (Object.keys(providers).length > 1) changes.push({ path: ['provider', id], value: undefined });
      else changes.push({ path: ['provider'], value: undefined });
    }
    return changes;
  }

  async planRemove(scope: string | undefined, situation: Situation): Promise<AgentPlan> {
    const chosen = scopeOf(info, scope);
    const path = this.configPath(situation);
    const remembered = bindingOf(await this.deps.vault.readMetadata(), 'opencode', path);
    const config = await planSettingsChange(path, await this.removals(path, remembered), FORMATS['jsonc-commas']);
    const pluginPath = this.pluginPath(situation);
    const current = await readSettingsFile(pluginPath);
    // Only KeyTray's own plugin goes; a file of someone else's by that name stays.
    const plugin = await planOwnedFile(pluginPath, current !== null && readPluginSpec(current) === null ? current : null);
    return this.finish('remove', chosen, null, situation, [config, plugin]);
  }

  private async finish(
    action: AgentPlan['action'],
    scope: string,
    binding: AgentBinding | null,
    situation: Situation,
    files: SettingsPlan[],
    command?: string,
  ): Promise<AgentPlan> {
    const after = Object.fromEntries(files.map((f) => [f.path, f.deletes ? null : f.after]));
    return {
      agent: 'opencode',
      action,
      scope,
      binding,
      files,
      bindingPath: this.configPath(situation),
      ...(command ? { command } : {}),
      before: computeOpenCodePicture(await this.inputs(situation)),
      after: computeOpenCodePicture(await this.inputs(situation, after, command)),
    };
  }

  apply(plan: AgentPlan): Promise<void> {
    return applyHelperPlan(this.deps, plan);
  }

  async undo(scope: string | undefined, situation: Situation): Promise<UndoResult> {
    scopeOf(info, scope);
    const files = this.configFiles(situation);
    const undone = await undoAgentFiles(this.deps, 'opencode', info.label, files, this.configPath(situation));
    return { files: undone, after: await this.picture(situation) };
  }

  watchPaths(situation: Situation): string[] {
    return [openCodeConfigDir(situation), join(openCodeDataDir(situation), 'auth.json'), join(situation.cwd, 'opencode.json')];
  }

  /**
   * Moves a key `opencode auth login` left in auth.json into the keychain
   * (the selected model's provider first, else the first KeyTray knows),
   * and takes it out of the file through the writer (sealed backup, undo).
   */
  async importKey(situation: Situation, label = 'opencode'): Promise<ImportedKey> {
    const path = join(openCodeDataDir(situation), 'auth.json');
    const text = await readSettingsFile(path);
    const parsed = text === null ? null : FORMATS.json.parse(text);
    const entries = parsed?.ok ? parsed.value : {};
    const model = (await this.inputs(situation)).model?.value.split('/')[0];
    const candidates = info.providers.filter((p) => {
      const entry = asRecord(entries[p]);
      return entry.type === 'api' && typeof entry.key === 'string' && entry.key !== '';
    });
    const provider = candidates.find((p) => p === model) ?? candidates[0];
    if (!provider) {
      throw new KeyTrayError('not-found', `${path} holds no ${info.providers.join(', ')} API key to move.`);
    }
    const secret = asRecord(entries[provider]).key as string;
    const plan = await planSettingsChange(path, [{ path: [provider], value: undefined }], FORMATS.json);
    return moveKeyIntoKeychain(this.deps, provider, label, secret, plan);
  }
}

function checkProvider(value: string): ProviderId {
  if ((info.providers as readonly string[]).includes(value)) return value as ProviderId;
  throw new KeyTrayError('usage', `KeyTray can give OpenCode an OpenAI, OpenRouter or Anthropic key, not a "${value}" one.`, {
    fix: `Use --provider ${info.providers.join(' or --provider ')}.`,
  });
}

/**
 * What the user had where KeyTray writes for `provider`: a base URL, an apiKey that is a `{env:…}` or
 * `{file:…}` reference (a literal key is never kept: undo has it, sealed), to put back on remove.
 */
function replacedSettings(
  before: string | null,
  provider: ProviderId,
  remembered: AgentBinding | undefined,
): Record<string, string> {
  const parsed = before === null ? null : FORMATS['jsonc-commas'].parse(before);
  const options = asRecord(asRecord(asRecord(parsed?.ok ? parsed.value.provider : {})[provider]).options);
  const kept = remembered?.provider === provider ? (remembered.replaced ?? {}) : {};
  const replaced: Record<string, string> = {};
  for (const name of OWNED_OPTIONS) {
    const key = wroteKey(provider, name);
    const value = options[name];
    const ours =
      value === KEYTRAY_API_KEY || isProxyUrl(value) || (remembered?.provider === provider && remembered.wrote?.[key] === value);
    const keepable = name === 'baseURL' || (typeof value === 'string' && /^\{(env|file):[^}]+\}$/.test(value));
    if (typeof value === 'string' && !ours && keepable) replaced[key] = value;
    else if (ours && kept[key] !== undefined) replaced[key] = kept[key];
  }
  return replaced;
}

function isProxyUrl(value: unknown): boolean {
  return typeof value === 'string' && proxyRouteOf(value) !== null;
}

/** An `options.apiKey` as OpenCode resolves it: KeyTray's placeholder, a literal, `{env:VAR}` or `{file:path}`. */
async function resolveApiKey(raw: string, origin: string, situation: Situation): Promise<OpenCodeApiKey> {
  if (raw === KEYTRAY_API_KEY) return { origin, kind: 'keytray', masked: null };
  const env = /^\{env:([^}]+)\}$/.exec(raw)?.[1];
  if (env) {
    const value = situation.env[env];
    return { origin, kind: 'env', ref: env, masked: value ? maskSecret(value) : null };
  }
  const file = /^\{file:([^}]+)\}$/.exec(raw)?.[1];
  if (file) {
    const path = file.startsWith('~/')
      ? join(situation.home, file.slice(2))
      : isAbsolute(file)
        ? file
        : resolve(origin === 'OPENCODE_CONFIG_CONTENT' ? situation.cwd : dirname(origin), file);
    const value = (await readFile(path, 'utf8').catch(() => '')).trim();
    return { origin, kind: 'file', ref: path, masked: value ? maskSecret(value) : null };
  }
  return { origin, kind: 'literal', masked: maskSecret(raw) };
}

async function readAuthJson(path: string): Promise<OpenCodeInputs['authJson']> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return null;
  }
  const entries: NonNullable<OpenCodeInputs['authJson']>['entries'] = {};
  for (const [provider, entry] of Object.entries(asRecord(value))) {
    const record = asRecord(entry);
    const type = typeof record.type === 'string' ? record.type : 'unknown';
    const secret = typeof record.key === 'string' ? record.key : typeof record.access === 'string' ? record.access : '';
    entries[provider] = { type, masked: secret ? maskSecret(secret) : null };
  }
  return Object.keys(entries).length > 0 ? { path, entries } : null;
}
