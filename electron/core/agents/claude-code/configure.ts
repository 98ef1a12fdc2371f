/**
 * "Configure Claude Code": point one settings file's apiKeyHelper at
 * KeyTray's helper for a chosen key, optionally neutralising credential
 * variables that would take its place, with a preview, a backup and undo.
 * The auth picture before and after says what will really happen.
 */
import { realpath } from 'node:fs/promises';
import { dirname, sep } from 'node:path';
import {
  type AuthInputs,
  type AuthPicture,
  computeAuthPicture,
  type HelperInfo,
  MODEL_VARIABLE,
  MODEL_VARIABLES,
  type SettingsLayer,
} from '../../../../shared/agents/claude-code/auth-picture';
import {
  SETTINGS_SCOPES,
  type SettingsScope,
  settingsPath,
  type WritableScope,
} from '../../../../shared/agents/claude-code/scopes';
import { settingsLayer } from '../../../../shared/agents/claude-code/settings-layer';
import { KeyTrayError } from '../../../../shared/errors';
import { parseSettingsText, type SettingChange } from '../../../../shared/formats/json-edit';
import { SECRET_NAME } from '../../../../shared/formats/secret-names';
import { helperCommand, helperTargetFor, parseHelperCommand } from '../../../../shared/helper-command';
import { maskSecret } from '../../../../shared/mask';
import type { ClaudeBinding, ModelNames } from '../../../../shared/metadata';
import { problems } from '../../../../shared/problems';
import { effectiveBaseUrl } from '../../../../shared/provider-settings';
import { isProviderId, type ProviderId, providerInfo, speaks } from '../../../../shared/providers';
import { proxyBaseUrl, proxyRouteOf } from '../../../../shared/proxy-types';
import { seal, unseal } from '../../files/backup-cipher';
import { FORMATS } from '../../files/formats';
import { planSettingsChange, readSettingsFile, type SettingsPlan } from '../../files/settings-writer';
import { proxyState } from '../../proxy/identity';
import { heldToken } from '../../proxy/proxy-token';
import type { AgentDeps } from '../agent-deps';
import { bindingOf, rememberBinding } from '../bindings';
import { ensureHelperScript, helperScriptPath } from '../helper-script';
import type { Situation } from '../situation';
import { findAwsCredentials, gatherAuthInputs, readLayers } from './auth-inputs';

export interface ConfigureRequest {
  /** Defaults to the provider remembered for this settings file, else anthropic. */
  provider?: string;
  label?: string;
  scope: WritableScope;
  situation: Situation;
  /** Set credential variables that would shadow the helper to "" in the written env block. */
  neutralizeEnv?: boolean;
  /** Replace another tool's apiKeyHelper, or write this machine's helper path into shared project settings. */
  force?: boolean;
  /** `proxy`: Claude Code gets the proxy's URL and token, never the key. Defaults to the remembered mode, else `helper`. */
  mode?: 'helper' | 'proxy';
}

export interface ConfigurePlan {
  scope: WritableScope;
  binding: ClaudeBinding;
  command: string;
  settings: SettingsPlan;
  before: AuthPicture;
  after: AuthPicture;
}

export type ConfiguratorDeps = AgentDeps;

/** Variables that take the helper's place in a header when set. */
const SHADOWING = ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN'] as const;
/** Priority of a scope's env block: higher wins (SETTINGS_SCOPES lists the highest first). */
const envRank = (scope: SettingsScope) => SETTINGS_SCOPES.length - SETTINGS_SCOPES.indexOf(scope);

export class ClaudeConfigurator {
  constructor(private readonly deps: ConfiguratorDeps) {}

  async plan(request: ConfigureRequest): Promise<ConfigurePlan> {
    const path = settingsPath(request.scope, request.situation);
    const meta = await this.deps.vault.readMetadata();
    const remembered = bindingOf(meta, 'claude-code', path);
    const provider = checkClaudeProvider(request.provider ?? remembered?.provider ?? 'anthropic');
    const label = request.label ?? (request.provider === undefined ? remembered?.label : undefined);
    const info = providerInfo(provider);
    // The key must exist: a helper that fails makes Claude Code send an empty key.
    const key = await this.deps.vault.show(provider, label);
    const settingsOf = meta.providers[provider]?.settings ?? {};
    if (info.regional && !settingsOf.region) {
      throw new KeyTrayError('usage', `${info.label} needs a region first.`, {
        fix: `Set it with \`keytray provider set ${provider} --region <region>\`.`,
      });
    }
    if (info.usesWorkspace && !settingsOf.workspaceId) {
      throw new KeyTrayError('usage', `${info.label} needs a workspace ID first.`, {
        fix: `Set it with \`keytray provider set ${provider} --workspace <id>\`.`,
      });
    }
    // AWS providers: a profile signs natively in Claude Code (nothing to hide); a stored key goes through the proxy.
    const mode: 'helper' | 'proxy' | 'native' = info.regional
      ? key.auth === 'sigv4-profile'
        ? 'native'
        : 'proxy'
      : (request.mode ?? remembered?.mode ?? 'helper');
    const binding: ClaudeBinding = { provider, ...(label ? { label } : {}), ...(mode === 'proxy' ? { mode } : {}) };
    const platform = request.situation.platform;
    const script = helperScriptPath(this.deps.dataDir, platform);
    // Proxy mode with a named key: the helper prints that key's own proxy token, and the proxy sends that key.
    const target = helperTargetFor(mode, provider, label, key.label);
    const command = helperCommand(script, target, platform);

    const inputs = await gatherAuthInputs(request.situation, this.deps.vault, this.ownScript(request.situation));
    const before = computeAuthPicture(inputs);
    const current = inputs.settings.find((l) => l.path === path);
    if (!request.force) refuseUnforced(request.scope, path, current?.apiKeyHelper, platform);
    const port = await this.deps.vault.proxyPort();
    const changes = settingsChanges({
      provider,
      mode,
      command,
      proxyUrl: proxyBaseUrl(port, provider),
      region: settingsOf.region,
      workspaceId: settingsOf.workspaceId,
      profile: key.profile,
      // Anthropic's own base URL is the default unless set; any other provider's is always written.
      baseUrl: provider === 'anthropic' ? settingsOf.baseUrl : (effectiveBaseUrl(provider, settingsOf) ?? undefined),
      models: settingsOf.models ?? {},
      keytrayWrote: new Set(
        Object.entries(remembered?.wrote ?? {})
          .filter(([name, value]) => name.startsWith('env.') && current?.env[name.slice(4)] === value)
          .map(([name]) => name.slice(4)),
      ),
      inheritedBaseUrl: inheritedVariable('ANTHROPIC_BASE_URL', inputs, request.scope),
      current: current?.env ?? {},
      currentHelper: current?.apiKeyHelper,
    });
    let helper: HelperInfo = { masked: key.masked, keytray: { provider, label: key.label } };
    if (mode === 'proxy') {
      const token = await this.deps.vault.existingProxyToken();
      helper = {
        masked: token ? maskSecret(heldToken(token, label ? { provider, label: key.label } : undefined)) : null,
        keytray: helper.keytray,
        proxy: { url: proxyBaseUrl(port, provider), ...(await proxyState(port, token)) },
      };
    }
    if (request.neutralizeEnv) {
      for (const name of shadowingVariables(inputs, request.scope)) changes.push({ path: ['env', name], value: '' });
    }
    const recorded = await this.record(changes, current, remembered);
    binding.wrote = recorded.wrote;
    if (Object.keys(recorded.replaced).length > 0) binding.replaced = recorded.replaced;
    const settings = await planSettingsChange(path, recorded.changes);
    if (!request.force) await refuseOutsideProject(request.scope, path, settings.target);
    const helpers = { ...inputs.helpers, [command]: helper };
    const layers = withLayer(inputs.settings, request.scope, path, settings.after);
    const after = computeAuthPicture({
      ...inputs,
      helpers,
      settings: layers,
      awsChain: await findAwsCredentials(request.situation, layers),
    });
    return { scope: request.scope, binding, command, settings, before, after };
  }

  /**
   * What a plan's changes write and replace, setting by setting, for remove
   * to take out exactly that and put back what was there. A value KeyTray
   * replaced is sealed under the backup key (another tool's key command may
   * hold a secret); a credential it replaced with "" is never put back.
   * Where a change takes out a value KeyTray wrote over someone else's, that
   * value comes back instead (switching from proxy to helper mode puts back
   * the user's own base URL).
   */
  private async record(
    changes: SettingChange[],
    current: SettingsLayer | undefined,
    remembered: ClaudeBinding | undefined,
  ): Promise<{ changes: SettingChange[]; wrote: Record<string, string>; replaced: Record<string, string> }> {
    const keys = this.deps.vault;
    const wrote: Record<string, string> = {};
    // What KeyTray wrote before and the file still holds stays KeyTray's (a "" from an earlier --neutralize-env).
    for (const [name, value] of Object.entries(remembered?.wrote ?? {}))
      if (settingValue(current, name) === value) wrote[name] = value;
    const replaced: Record<string, string> = { ...remembered?.replaced };
    const out: SettingChange[] = [];
    for (const change of changes) {
      const name = change.path.join('.');
      const before = settingValue(current, name);
      if (change.value === undefined) {
        delete wrote[name];
        const back = replaced[name];
        delete replaced[name];
        out.push(back === undefined ? change : { path: change.path, value: await unseal(back, keys) });
        continue;
      }
      const value = String(change.value);
      const keytrays =
        before === undefined ||
        before === value ||
        remembered?.wrote?.[name] === before ||
        (name === 'apiKeyHelper' && parseHelperCommand(before) !== null) ||
        (name.endsWith('BASE_URL') && isProxyUrl(before));
      if (!keytrays && replaced[name] === undefined && !SECRET_NAME.test(name)) replaced[name] = await seal(before, keys);
      wrote[name] = value;
      out.push(change);
    }
    return { changes: out, wrote, replaced };
  }

  /** KeyTray's own helper script, for the platform the situation is on. */
  private ownScript(situation: Situation): string {
    return helperScriptPath(this.deps.dataDir, situation.platform);
  }

  /** Writes the helper script and the settings file, and remembers the choice. */
  async apply(plan: Pick<ConfigurePlan, 'binding' | 'settings'>): Promise<void> {
    if (plan.binding.mode === 'proxy') await this.deps.vault.proxyToken();
    await ensureHelperScript(this.deps.dataDir, this.deps.launcher, this.deps.pins);
    await this.deps.writer.apply(plan.settings);
    await rememberBinding(this.deps.metadataPath, 'claude-code', plan.settings.path, plan.binding);
  }

  /** Writes a removal planned by planRemove, and forgets the file's binding. */
  async applyRemove(settings: SettingsPlan): Promise<void> {
    await this.deps.writer.apply(settings);
    await rememberBinding(this.deps.metadataPath, 'claude-code', settings.path, null);
  }

  /**
   * What taking KeyTray out of the scope's settings file changes: its
   * apiKeyHelper, the proxy base URLs, and the switches and values KeyTray
   * wrote for the provider the file is bound to. What the user wrote stays.
   */
  async planRemove(
    scope: WritableScope,
    situation: Situation,
  ): Promise<{ settings: SettingsPlan; before: AuthPicture; after: AuthPicture }> {
    const path = settingsPath(scope, situation);
    const meta = await this.deps.vault.readMetadata();
    const binding = bindingOf(meta, 'claude-code', path);
    const inputs = await gatherAuthInputs(situation, this.deps.vault, this.ownScript(situation));
    const current = inputs.settings.find((l) => l.path === path);
    const env = current?.env ?? {};
    const changes: SettingChange[] = [];
    // KeyTray's helper goes; another tool's key command it replaced (`--force`) comes back.
    if (current?.apiKeyHelper && parseHelperCommand(current.apiKeyHelper)) {
      const replaced = binding?.replaced?.apiKeyHelper;
      changes.push({
        path: ['apiKeyHelper'],
        value: replaced === undefined ? undefined : await unseal(replaced, this.deps.vault),
      });
    }
    // What KeyTray recorded writing, where the file still holds it, goes; what it replaced comes back.
    // Bindings from before that record (and proxy URLs, whoever typed them) are recognised by value.
    const written = binding ? keytrayEnv(binding.provider, meta.providers[binding.provider]?.settings ?? {}) : {};
    const back = new Map<string, string | undefined>();
    for (const [name, value] of Object.entries(env)) {
      const recognised = binding?.wrote === undefined && (written[name] === value || written[name] === null);
      if ((/BASE_URL$/.test(name) && isProxyUrl(value)) || recognised) back.set(name, undefined);
    }
    for (const [setting, value] of Object.entries(binding?.wrote ?? {})) {
      if (!setting.startsWith('env.') || env[setting.slice(4)] !== value) continue;
      const replaced = binding?.replaced?.[setting];
      back.set(setting.slice(4), replaced === undefined ? undefined : await unseal(replaced, this.deps.vault));
    }
    // An env block that held only KeyTray's entries goes whole: KeyTray made it, and an empty one says nothing.
    const text = await readSettingsFile(path);
    const parsed = text === null ? null : parseSettingsText(text);
    const block = parsed?.ok ? parsed.value.env : undefined;
    const blockSize = block && typeof block === 'object' && !Array.isArray(block) ? Object.keys(block).length : 0;
    const allGo = [...back.values()].every((v) => v === undefined);
    if (back.size > 0 && back.size === blockSize && allGo) changes.push({ path: ['env'], value: undefined });
    else for (const [name, value] of back) changes.push({ path: ['env', name], value });
    const settings = await planSettingsChange(path, changes);
    const before = computeAuthPicture(inputs);
    const layers = withLayer(inputs.settings, scope, path, settings.after);
    const after = computeAuthPicture({ ...inputs, settings: layers, awsChain: await findAwsCredentials(situation, layers) });
    return { settings, before, after };
  }

  /** Puts the scope's settings file back as it was before KeyTray's last write. */
  async undo(scope: WritableScope, situation: Situation): Promise<{ settings: SettingsPlan; after: AuthPicture }> {
    const path = settingsPath(scope, situation);
    const settings = await this.deps.writer.undo(path, FORMATS.json, `keytray configure claude-code --scope ${scope} --remove`);
    if (!(await this.deps.writer.canUndo(path))) await rememberBinding(this.deps.metadataPath, 'claude-code', path, null);
    return { settings, after: computeAuthPicture(await gatherAuthInputs(situation, this.deps.vault, this.ownScript(situation))) };
  }

  /** The auth picture for a directory, as `keytray status` shows it. */
  async picture(situation: Situation): Promise<AuthPicture> {
    return computeAuthPicture(await gatherAuthInputs(situation, this.deps.vault, this.ownScript(situation)));
  }

  /** The settings layers for a directory, for callers that show them. */
  layers(situation: Situation): Promise<SettingsLayer[]> {
    return readLayers(situation);
  }
}

/** The switches, gateway flags and base URLs of Claude Code's AWS-hosted providers. */
const CLOUD_ENV: Partial<Record<ProviderId, { use: string; skip: string; baseUrl: string }>> = {
  'anthropic-aws': {
    use: 'CLAUDE_CODE_USE_ANTHROPIC_AWS',
    skip: 'CLAUDE_CODE_SKIP_ANTHROPIC_AWS_AUTH',
    baseUrl: 'ANTHROPIC_AWS_BASE_URL',
  },
  bedrock: { use: 'CLAUDE_CODE_USE_BEDROCK', skip: 'CLAUDE_CODE_SKIP_BEDROCK_AUTH', baseUrl: 'ANTHROPIC_BEDROCK_BASE_URL' },
};

interface ChangeInput {
  provider: ProviderId;
  mode: 'helper' | 'proxy' | 'native';
  command: string;
  proxyUrl: string;
  region: string | undefined;
  workspaceId: string | undefined;
  profile: string | undefined;
  /** The provider's base URL, when one was set (`keytray provider set … --base-url`) or is not Anthropic's: helper mode sends there too. */
  baseUrl: string | undefined;
  /** The model names set for the provider (`keytray provider set … --model`). */
  models: ModelNames;
  /** The env variables this file holds as KeyTray last wrote them: what the new plan leaves out of them goes. */
  keytrayWrote: ReadonlySet<string>;
  /** ANTHROPIC_BASE_URL as lower scopes and the environment leave it for this file. */
  inheritedBaseUrl: string | undefined;
  /** The env block and helper of the file as it is. */
  current: Record<string, string>;
  currentHelper: string | undefined;
}

/**
 * What one settings file needs for a provider and mode. What KeyTray wrote
 * for another provider or mode goes (its proxy URLs, its switches); what
 * the user wrote stays.
 */
export function settingsChanges(c: ChangeInput): SettingChange[] {
  const set = new Map<string, string | undefined>();
  const helper = c.mode === 'native' ? undefined : c.command;
  const cloud = CLOUD_ENV[c.provider];
  for (const [provider, names] of Object.entries(CLOUD_ENV)) {
    if (provider === c.provider || !names) continue;
    if (c.current[names.use] !== undefined) set.set(names.use, undefined);
    if (c.current[names.skip] !== undefined) set.set(names.skip, undefined);
    if (c.current[names.baseUrl] && isProxyUrl(c.current[names.baseUrl] as string)) set.set(names.baseUrl, undefined);
  }
  if (c.current.ANTHROPIC_BASE_URL && isProxyUrl(c.current.ANTHROPIC_BASE_URL)) set.set('ANTHROPIC_BASE_URL', undefined);
  if (!cloud) {
    if (c.mode === 'proxy') set.set('ANTHROPIC_BASE_URL', c.proxyUrl);
    else if (c.baseUrl) set.set('ANTHROPIC_BASE_URL', c.baseUrl);
    // A lower scope in proxy mode would send this helper's key to the proxy: this scope says where its key goes.
    else if (c.inheritedBaseUrl && isProxyUrl(c.inheritedBaseUrl))
      set.set('ANTHROPIC_BASE_URL', providerInfo(c.provider).defaultBaseUrl);
  } else {
    set.set(cloud.use, '1');
    if (c.region) set.set('AWS_REGION', c.region);
    if (c.workspaceId && c.provider === 'anthropic-aws') set.set('ANTHROPIC_AWS_WORKSPACE_ID', c.workspaceId);
    if (c.mode === 'proxy') {
      set.set(cloud.skip, '1');
      set.set(cloud.baseUrl, c.proxyUrl);
    } else {
      if (c.current[cloud.skip] !== undefined) set.set(cloud.skip, undefined);
      if (c.current[cloud.baseUrl] && isProxyUrl(c.current[cloud.baseUrl] as string)) set.set(cloud.baseUrl, undefined);
      if (c.profile) set.set('AWS_PROFILE', c.profile);
    }
  }
  for (const [name, variable] of Object.entries(MODEL_VARIABLE) as [keyof ModelNames, string][]) {
    const model = c.models[name];
    if (model) set.set(variable, model);
  }
  // What KeyTray wrote for the binding before (another provider's base URL, its model names) and this one does not need.
  for (const name of [...MODEL_VARIABLES, 'ANTHROPIC_BASE_URL']) {
    if (!set.has(name) && c.keytrayWrote.has(name)) set.set(name, undefined);
  }
  const changes: SettingChange[] = [];
  if (helper !== undefined) changes.push({ path: ['apiKeyHelper'], value: helper });
  else if (c.currentHelper && parseHelperCommand(c.currentHelper)) changes.push({ path: ['apiKeyHelper'], value: undefined });
  for (const [name, value] of set) {
    if (value === undefined && c.current[name] === undefined) continue;
    changes.push({ path: ['env', name], value });
  }
  return changes;
}

/**
 * The env values KeyTray writes for a cloud provider's binding: a value to
 * match, or null for a switch KeyTray owns whatever its value.
 */
function keytrayEnv(
  provider: ProviderId,
  settings: { region?: string; workspaceId?: string; baseUrl?: string },
): Record<string, string | null> {
  const cloud = CLOUD_ENV[provider];
  // The provider's base URL, or the default a helper-mode binding writes over a proxy URL it inherits.
  if (!cloud) return { ANTHROPIC_BASE_URL: settings.baseUrl ?? providerInfo(provider).defaultBaseUrl };
  return {
    [cloud.use]: null,
    [cloud.skip]: null,
    ...(settings.region ? { AWS_REGION: settings.region } : {}),
    ...(settings.workspaceId && provider === 'anthropic-aws' ? { ANTHROPIC_AWS_WORKSPACE_ID: settings.workspaceId } : {}),
  };
}

/** A setting's value in a settings layer, by its recorded name (`apiKeyHelper`, `env.NAME`). */
function settingValue(layer: SettingsLayer | undefined, name: string): string | undefined {
  if (name === 'apiKeyHelper') return layer?.apiKeyHelper;
  return name.startsWith('env.') ? layer?.env[name.slice(4)] : undefined;
}

/** A base URL that points at KeyTray's proxy (proxy mode wrote it, or someone typed it): it goes when the mode does. */
function isProxyUrl(url: string): boolean {
  return proxyRouteOf(url) !== null;
}

function checkClaudeProvider(value: string): ProviderId {
  if (!isProviderId(value)) throw new KeyTrayError('usage', problems.unknownProvider(value));
  if (speaks(value, 'anthropic')) return value;
  throw new KeyTrayError('usage', `Claude Code speaks the Anthropic API, and ${providerInfo(value).label} does not.`, {
    fix: `For tools that read ${providerInfo(value).keyEnvVar}, use \`keytray exec --provider ${value} -- <command>\`.`,
  });
}

/**
 * The shadowing variables worth cancelling from `scope`: set in the
 * environment, a shell startup file, or a settings env block that `scope`
 * outranks. One set in a higher scope cannot be cancelled from here; the
 * picture after writing still reports it.
 */
function shadowingVariables(inputs: AuthInputs, scope: WritableScope): string[] {
  return SHADOWING.filter((name) => {
    if (inputs.env[name]) return true;
    if (inputs.shellExports.some((e) => e.name === name)) return true;
    return inputs.settings.some((l) => l.env[name] && envRank(l.scope) <= envRank(scope));
  });
}

/** A variable as the scopes below `scope` and the environment leave it (what `scope`'s file inherits). */
function inheritedVariable(name: string, inputs: AuthInputs, scope: WritableScope): string | undefined {
  let value = inputs.env[name];
  // Lowest precedence first, so that each scope overrides the ones below it.
  for (const layer of [...inputs.settings].reverse()) {
    if (envRank(layer.scope) < envRank(scope) && layer.env[name] !== undefined && !layer.problem) value = layer.env[name];
  }
  return value === '' ? undefined : value;
}

/**
 * A project's settings that are a link (or sit in a linked folder) leading
 * outside the project: a write there changes some other file, perhaps one
 * shared by every project. Not unasked.
 */
async function refuseOutsideProject(scope: WritableScope, path: string, target: string | undefined): Promise<void> {
  if (scope === 'user' || target === undefined) return;
  const project = dirname(dirname(path));
  const root = await realpath(project).catch(() => project);
  if (target.startsWith(`${root}${sep}`)) return;
  throw new KeyTrayError('usage', `${path} leads to ${target}, outside the project ${project}; KeyTray would write there.`, {
    fix: 'Pass --force to write through the link, or replace the link with a file of the project’s own.',
  });
}

/**
 * What KeyTray does not do unasked: replace another tool's key command (`op
 * read …`), or write this machine's helper path into project settings, a
 * file meant to be committed and used on other machines.
 */
function refuseUnforced(scope: WritableScope, path: string, currentHelper: string | undefined, platform: string): void {
  if (currentHelper?.trim() && !parseHelperCommand(currentHelper)) {
    // Its first word only: the rest of another tool's command may hold a secret.
    const tool = currentHelper.trim().split(/\s+/)[0];
    throw new KeyTrayError('usage', `${path} already has an apiKeyHelper of its own (\`${tool} …\`); KeyTray would replace it.`, {
      fix: 'Pass --force to replace it (`--undo` puts it back), or configure another scope.',
    });
  }
  if (scope === 'project') {
    throw new KeyTrayError(
      'usage',
      `Project settings (${path}) are meant to be committed, and KeyTray's helper is a path on this ${platform === 'darwin' ? 'Mac' : 'machine'} only.`,
      { fix: 'Use --scope local (settings.local.json, kept out of git), or pass --force to write it anyway.' },
    );
  }
}

/** The layers as they will be once `text` is written to `path`. */
function withLayer(layers: SettingsLayer[], scope: WritableScope, path: string, text: string): SettingsLayer[] {
  return [...layers.filter((l) => l.scope !== scope), settingsLayer(scope, path, text)];
}
