/**
 * OpenClaw behind the agent seam. OpenClaw has no key-command setting, but
 * its SecretRefs can run a command: KeyTray declares an exec secrets
 * provider, `secrets.providers.keytray-<provider>` (KeyTray's helper,
 * `jsonOnly: false` so its plain output is the key, `passEnv` for what the
 * helper needs to reach the keychain), and points
 * `models.providers.<provider>.apiKey` at it, with `baseUrl` the upstream
 * (helper mode) or KeyTray's proxy (proxy mode: the helper prints a proxy
 * token). openclaw.json is JSON5, edited in place through the one writer.
 */
import type { Stats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { AGENTS, type ConfigurableMode } from '../../../../shared/agents/catalog';
import {
  type ApiKeyValue,
  computeOpenClawPicture,
  type OpenClawInputs,
  type OpenClawProvider,
  type OpenClawSecretProvider,
} from '../../../../shared/agents/openclaw/picture';
import type { AgentPicture } from '../../../../shared/agents/picture';
import { KeyTrayError } from '../../../../shared/errors';
import { asRecord, type Change } from '../../../../shared/formats/file-format';
import { helperArgs, helperTargetFor, isHelperScript, parseHelperArgs } from '../../../../shared/helper-command';
import type { AgentBinding, Metadata } from '../../../../shared/metadata';
import type { ProviderId } from '../../../../shared/providers';
import { proxyRouteOf } from '../../../../shared/proxy-types';
import { FORMATS } from '../../files/formats';
import { planSettingsChange, readSettingsFile, type SettingsPlan } from '../../files/settings-writer';
import {
  type AgentIntegration,
  type AgentPlan,
  type ConfigFile,
  type ConfigureRequest,
  scopeOf,
  type UndoResult,
} from '../agent';
import type { AgentDeps } from '../agent-deps';
import { applyHelperPlan, bindingOf, detectAgent, oneFilePlan, undoAgentFiles } from '../bindings';
import { helperScriptPath } from '../helper-script';
import { describeTarget, upstreamBase } from '../helper-target';
import type { Situation } from '../situation';
import { storedProfiles } from './state-db';

const info = AGENTS.openclaw;

/** The `api` KeyTray writes for a provider whose entry names none. */
const DEFAULT_API: Partial<Record<ProviderId, string>> = {
  anthropic: 'anthropic-messages',
  openai: 'openai-completions',
  openrouter: 'openai-completions',
};

/**
 * What KeyTray's helper needs from the environment to reach the keychain;
 * OpenClaw runs an exec command with nothing but the variables `passEnv` names.
 */
export function helperPassEnv(platform: string): string[] {
  if (platform === 'win32') return ['USERPROFILE', 'APPDATA', 'LOCALAPPDATA', 'SystemRoot'];
  return ['HOME', 'USER', 'DBUS_SESSION_BUS_ADDRESS', 'XDG_RUNTIME_DIR', 'XDG_CONFIG_HOME', 'XDG_DATA_HOME'];
}

/** The secrets provider KeyTray declares for a provider's key. */
export function secretsProviderName(provider: ProviderId): string {
  return `keytray-${provider}`;
}

function setting(env: Record<string, string>, name: string): string | undefined {
  const value = env[name]?.trim();
  return value && value !== 'undefined' && value !== 'null' ? value : undefined;
}

function expandHome(path: string, home: string): string {
  return path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : path;
}

/** `OPENCLAW_STATE_DIR`, else `~/.openclaw` (`~/.openclaw-<profile>` with OPENCLAW_PROFILE), under OPENCLAW_HOME when set. */
export function openclawStateDir(situation: Situation): string {
  const home = expandHome(setting(situation.env, 'OPENCLAW_HOME') ?? situation.home, situation.home);
  const explicit = setting(situation.env, 'OPENCLAW_STATE_DIR');
  if (explicit) return expandHome(explicit, home);
  const profile = setting(situation.env, 'OPENCLAW_PROFILE');
  return join(home, profile && profile !== 'default' ? `.openclaw-${profile}` : '.openclaw');
}

/** `OPENCLAW_CONFIG_PATH`, else `openclaw.json` in the state folder. */
export function openclawConfigPath(situation: Situation): string {
  const explicit = setting(situation.env, 'OPENCLAW_CONFIG_PATH');
  const home = expandHome(setting(situation.env, 'OPENCLAW_HOME') ?? situation.home, situation.home);
  return explicit ? expandHome(explicit, home) : join(openclawStateDir(situation), 'openclaw.json');
}

export class OpenClawAgent implements AgentIntegration {
  readonly info = info;

  constructor(private readonly deps: AgentDeps) {}

  configFiles(situation: Situation): ConfigFile[] {
    return [{ scope: 'user', path: openclawConfigPath(situation), format: 'json5', writable: true }];
  }

  detect(situation: Situation): Promise<{ installed: boolean; configured: boolean }> {
    return detectAgent(info, this.deps.vault, situation);
  }

  async picture(situation: Situation): Promise<AgentPicture> {
    return computeOpenClawPicture(await this.inputs(situation, await readSettingsFile(openclawConfigPath(situation))));
  }

  /** What the picture needs, with openclaw.json as `text` (as it is, or as a plan would leave it). */
  private async inputs(situation: Situation, text: string | null, plannedScript?: string): Promise<OpenClawInputs> {
    const configPath = openclawConfigPath(situation);
    const parsed = text === null ? null : FORMATS.json5.parse(text);
    const config = parsed?.ok ? parsed.value : {};
    const providers: Record<string, OpenClawProvider> = {};
    for (const [id, entry] of Object.entries(asRecord(asRecord(config.models).providers)))
      providers[id] = readProvider(asRecord(entry));
    const secretProviders: Record<string, OpenClawSecretProvider> = {};
    for (const [id, entry] of Object.entries(asRecord(asRecord(config.secrets).providers))) {
      secretProviders[id] = readSecretProvider(asRecord(entry));
    }
    const primary = asRecord(asRecord(asRecord(config.agents).defaults).model).primary;
    const dbPath = join(openclawStateDir(situation), 'state', 'openclaw.sqlite');
    const profiles = await storedProfiles(dbPath);
    const inputs: OpenClawInputs = {
      cwd: situation.cwd,
      configPath,
      ...(parsed && !parsed.ok ? { configProblem: `${parsed.problem} at line ${parsed.line}, column ${parsed.column}` } : {}),
      ...(typeof primary === 'string' ? { primary } : {}),
      providers,
      secretProviders,
      env: situation.env,
      envOrigin: situation.envOrigin,
      stateDb: profiles ? { path: dbPath, profiles } : null,
    };
    const selected = typeof primary === 'string' ? primary.split('/')[0] : undefined;
    const entry = selected ? providers[selected] : undefined;
    const ref = entry?.apiKey?.kind === 'ref' && entry.apiKey.source === 'exec' ? entry.apiKey : null;
    const exec = ref ? secretProviders[ref.provider] : undefined;
    if (!exec?.command) return inputs;
    if (exec.command !== plannedScript) {
      const problem = await commandProblem(exec.command);
      if (problem) inputs.commandProblem = problem;
    }
    const target = isHelperScript(exec.command) ? parseHelperArgs(exec.args) : null;
    if (target) {
      const route = entry?.baseUrl ? proxyRouteOf(entry.baseUrl) : null;
      inputs.helper = await describeTarget(
        exec.command,
        target,
        this.deps.vault,
        route && entry?.baseUrl ? { url: entry.baseUrl, ...route } : null,
        'openclaw',
        helperScriptPath(this.deps.dataDir, situation.platform),
        plannedScript,
      );
      const missing = helperPassEnv(situation.platform).filter((name) => situation.env[name] && !exec.passEnv.includes(name));
      if (missing.length) inputs.missingPassEnv = missing;
    }
    return inputs;
  }

  async plan(request: ConfigureRequest): Promise<AgentPlan> {
    const { situation } = request;
    const scope = scopeOf(info, request.scope);
    const path = openclawConfigPath(situation);
    const meta = await this.deps.vault.readMetadata();
    const remembered = bindingOf(meta, 'openclaw', path);
    const before = await readSettingsFile(path);
    const parsed = before === null ? null : FORMATS.json5.parse(before);
    const current = parsed?.ok ? parsed.value : {};
    const primary = asRecord(asRecord(asRecord(current.agents).defaults).model).primary;
    const defaultProvider = typeof primary === 'string' ? primary.split('/')[0] : undefined;
    const provider = checkProvider(
      request.provider ??
        remembered?.provider ??
        (defaultProvider && (info.providers as readonly string[]).includes(defaultProvider) ? defaultProvider : 'anthropic'),
    );
    const label = request.label ?? (request.provider === undefined ? remembered?.label : undefined);
    const mode: ConfigurableMode = request.mode ?? remembered?.mode ?? 'helper';
    // The key must exist: a failing SecretRef stops OpenClaw before it sends anything.
    const key = await this.deps.vault.show(provider, label);
    const target = helperTargetFor(mode, provider, label, key.label);
    const command = helperScriptPath(this.deps.dataDir, situation.platform);
    const name = secretsProviderName(provider);
    const entry = asRecord(asRecord(asRecord(current.models).providers)[provider]);
    const ours = isKeytrayRef(entry.apiKey, name);

    const replaced: Record<string, string> = { ...remembered?.replaced };
    const wrote: Record<string, string> = { ...remembered?.wrote };
    if (!ours) {
      // What the user had, put back on remove (a plaintext key is not kept: the sealed backup has it).
      delete replaced[`${provider}.baseUrl`];
      delete replaced[`${provider}.apiKey`];
      delete wrote[`${provider}.api`];
      if (typeof entry.baseUrl === 'string') replaced[`${provider}.baseUrl`] = entry.baseUrl;
      if (typeof entry.apiKey === 'object' && entry.apiKey !== null)
        replaced[`${provider}.apiKey`] = JSON.stringify(entry.apiKey);
    }
    const changes: Change[] = [
      {
        path: ['secrets', 'providers', name],
        value: { source: 'exec', command, args: helperArgs(target), jsonOnly: false, passEnv: helperPassEnv(situation.platform) },
      },
      { path: ['models', 'providers', provider, 'baseUrl'], value: await this.baseUrl(provider, mode, meta) },
      { path: ['models', 'providers', provider, 'apiKey'], value: { source: 'exec', provider: name, id: 'value' } },
    ];
    const api = DEFAULT_API[provider];
    if (entry.api === undefined && api) {
      changes.push({ path: ['models', 'providers', provider, 'api'], value: api });
      wrote[`${provider}.api`] = api;
    }
    const settings = await planSettingsChange(path, changes, FORMATS.json5);
    const binding: AgentBinding = {
      provider,
      ...(label ? { label } : {}),
      ...(mode === 'proxy' ? { mode } : {}),
      ...(Object.keys(replaced).length ? { replaced } : {}),
      ...(Object.keys(wrote).length ? { wrote } : {}),
    };
    return this.finish('configure', scope, binding, situation, settings, command);
  }

  async planRemove(scope: string | undefined, situation: Situation): Promise<AgentPlan> {
    const chosen = scopeOf(info, scope);
    const path = openclawConfigPath(situation);
    const remembered = bindingOf(await this.deps.vault.readMetadata(), 'openclaw', path);
    const text = await readSettingsFile(path);
    const parsed = text === null ? null : FORMATS.json5.parse(text);
    const current = parsed?.ok ? parsed.value : {};
    const secrets = asRecord(asRecord(current.secrets).providers);
    const models = asRecord(asRecord(current.models).providers);
    const changes: Change[] = [];
    for (const provider of info.providers) {
      const name = secretsProviderName(provider);
      const entry = asRecord(models[provider]);
      const restore = (field: string) => {
        const value = remembered?.replaced?.[`${provider}.${field}`];
        if (value === undefined) return undefined;
        return field === 'apiKey' ? (JSON.parse(value) as unknown) : value;
      };
      if (isKeytrayRef(entry.apiKey, name)) {
        changes.push({ path: ['models', 'providers', provider, 'apiKey'], value: restore('apiKey') });
        changes.push({ path: ['models', 'providers', provider, 'baseUrl'], value: restore('baseUrl') });
        const wroteApi = remembered?.wrote?.[`${provider}.api`];
        if (wroteApi !== undefined && entry.api === wroteApi)
          changes.push({ path: ['models', 'providers', provider, 'api'], value: undefined });
      }
      if (name in secrets) changes.push({ path: ['secrets', 'providers', name], value: undefined });
    }
    const settings = await planSettingsChange(path, changes, FORMATS.json5);
    return this.finish('remove', chosen, null, situation, settings);
  }

  private finish(
    action: AgentPlan['action'],
    scope: string,
    binding: AgentBinding | null,
    situation: Situation,
    settings: SettingsPlan,
    command?: string,
  ): Promise<AgentPlan> {
    const pictureOf = async (text: string | null, planned?: string) =>
      computeOpenClawPicture(await this.inputs(situation, text, planned));
    return oneFilePlan('openclaw', action, scope, binding, settings, pictureOf, command);
  }

  apply(plan: AgentPlan): Promise<void> {
    return applyHelperPlan(this.deps, plan);
  }

  async undo(scope: string | undefined, situation: Situation): Promise<UndoResult> {
    scopeOf(info, scope);
    const undone = await undoAgentFiles(
      this.deps,
      'openclaw',
      info.label,
      this.configFiles(situation),
      openclawConfigPath(situation),
    );
    return { files: undone, after: await this.picture(situation) };
  }

  watchPaths(situation: Situation): string[] {
    return [openclawStateDir(situation), openclawConfigPath(situation)];
  }

  /** The provider's base URL as OpenClaw wants it: with /v1 for the OpenAI APIs, without for Anthropic's. */
  private async baseUrl(provider: ProviderId, mode: ConfigurableMode, meta: Metadata): Promise<string> {
    const suffix = provider === 'anthropic' ? '' : '/v1';
    return `${await upstreamBase(this.deps.vault, provider, mode, meta)}${suffix}`;
  }
}

function checkProvider(value: string): ProviderId {
  if ((info.providers as readonly string[]).includes(value)) return value as ProviderId;
  throw new KeyTrayError('usage', `KeyTray cannot give OpenClaw a "${value}" key.`, {
    fix: `Use --provider ${info.providers.join(', --provider ')}.`,
  });
}

function isKeytrayRef(value: unknown, name: string): boolean {
  const ref = asRecord(value);
  return ref.source === 'exec' && ref.provider === name;
}

function readProvider(entry: Record<string, unknown>): OpenClawProvider {
  return {
    ...(typeof entry.baseUrl === 'string' ? { baseUrl: entry.baseUrl } : {}),
    ...(typeof entry.api === 'string' ? { api: entry.api } : {}),
    ...(entry.apiKey !== undefined ? { apiKey: readApiKey(entry.apiKey) } : {}),
  };
}

function readApiKey(value: unknown): ApiKeyValue {
  if (typeof value === 'string') {
    const env = /^\$\{([A-Z][A-Z0-9_]*)\}$|^\$([A-Z][A-Z0-9_]*)$/.exec(value);
    if (env) return { kind: 'env', name: (env[1] ?? env[2]) as string };
    return { kind: 'plaintext', value };
  }
  const ref = asRecord(value);
  if (typeof ref.source === 'string' && typeof ref.id === 'string') {
    return { kind: 'ref', source: ref.source, provider: typeof ref.provider === 'string' ? ref.provider : 'default', id: ref.id };
  }
  return { kind: 'unreadable' };
}

function readSecretProvider(entry: Record<string, unknown>): OpenClawSecretProvider {
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  return {
    ...(typeof entry.source === 'string' ? { source: entry.source } : {}),
    ...(typeof entry.command === 'string' ? { command: entry.command } : {}),
    args: strings(entry.args),
    jsonOnly: entry.jsonOnly !== false,
    passEnv: strings(entry.passEnv),
  };
}

/** What OpenClaw's own checks refuse about an exec command's path (its words), or null. */
async function commandProblem(command: string): Promise<string | null> {
  if (!isAbsolute(command)) return `${command} must be an absolute path`;
  let stats: Stats;
  try {
    stats = await lstat(command);
  } catch {
    return `${command} does not exist`;
  }
  if (stats.isSymbolicLink()) return `${command} must not be a symlink`;
  if (process.platform === 'win32') return null;
  if (process.getuid && stats.uid !== process.getuid()) return `${command} is not owned by the current user (uid ${stats.uid})`;
  if ((stats.mode & 0o022) !== 0) return `${command} permissions are too open (mode ${(stats.mode & 0o777).toString(8)})`;
  return null;
}
