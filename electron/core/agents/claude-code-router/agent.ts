/**
 * claude-code-router behind the agent seam. KeyTray adds its own provider,
 * `keytray`, to `~/.claude-code-router/config.json` (its `api_base_url` the
 * upstream's chat completions, or KeyTray's proxy in proxy mode), loads its
 * transformer for it (which asks KeyTray's helper for the key or the proxy
 * token, in memory only), routes `Router.default` to it, and closes ccr's
 * own leaks it can: a random local APIKEY where there was none (ccr 2.0.0
 * reads only literals or `$VAR`s, so a token from the keychain would need
 * the variable exported in every shell), and `"LOG_LEVEL": "info"` where the
 * debug log would write the key. No key is ever written to the file.
 */
import { randomBytes } from 'node:crypto';
import { chmod, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AGENTS, type ConfigurableMode } from '../../../../shared/agents/catalog';
import {
  CCR_KEY_PLACEHOLDER,
  CCR_LOCAL_TOKEN_PREFIX,
  CCR_PROVIDER_NAME,
  type CcrInputs,
  type CcrProvider,
  computeCcrPicture,
  logsHeaders,
} from '../../../../shared/agents/claude-code-router/picture';
import type { AgentPicture } from '../../../../shared/agents/picture';
import { KeyTrayError } from '../../../../shared/errors';
import { asRecord, type Change } from '../../../../shared/formats/file-format';
import { elementSegment, findElement, parseLenientJsonText } from '../../../../shared/formats/json-elements';
import { SECRET_NAME } from '../../../../shared/formats/secret-names';
import { helperArgs, helperTargetFor, isHelperScript, parseHelperArgs } from '../../../../shared/helper-command';
import type { AgentBinding } from '../../../../shared/metadata';
import type { ProviderId } from '../../../../shared/providers';
import { proxyRouteOf } from '../../../../shared/proxy-types';
import { FORMATS } from '../../files/formats';
import { planSettingsChange, readSettingsFile, type SettingsPlan } from '../../files/settings-writer';
import {
  type AgentIntegration,
  type AgentPlan,
  type ConfigFile,
  type ConfigureRequest,
  checkAgentProvider,
  scopeOf,
  type UndoResult,
} from '../agent';
import type { AgentDeps } from '../agent-deps';
import { applyHelperPlan, bindingOf, detectAgent, undoAgentFiles } from '../bindings';
import { helperScriptPath } from '../helper-script';
import { describeTarget, upstreamBase } from '../helper-target';
import type { Situation } from '../situation';
import { ccrTransformerPath, ensureCcrTransformer } from './transformer';

const info = AGENTS['claude-code-router'];
const FORMAT = FORMATS['json-lists'];

/** The model KeyTray's provider lists when it has none yet (the user may edit `models`; KeyTray keeps them). */
const DEFAULT_MODELS: Partial<Record<ProviderId, string>> = { openai: 'gpt-4.1', openrouter: 'openai/gpt-4.1' };

/** An authorization header's credential as ccr's log writes it (JSON), KeyTray's placeholder aside. */
const LOGGED_CREDENTIAL = new RegExp(
  `"(?:authorization|x-api-key)"\\s*:\\s*"(?:Bearer )?(?!${CCR_KEY_PLACEHOLDER}")[^"\\s]{8,}"`,
  'i',
);

/** `~/.claude-code-router`: ccr 2.0.0 has no variable that moves it. */
export function ccrHome(situation: Situation): string {
  return join(situation.home, '.claude-code-router');
}

/** Where `ccr code` writes its settings files: the temp folder of the process (TMPDIR). */
export function ccrTmpFolder(situation: Situation): string {
  const tmp = situation.env.TMPDIR || situation.env.TMP || situation.env.TEMP || '/tmp';
  return join(tmp, 'claude-code-router');
}

export class ClaudeCodeRouterAgent implements AgentIntegration {
  readonly info = info;

  constructor(private readonly deps: AgentDeps) {}

  configFiles(situation: Situation): ConfigFile[] {
    return [{ scope: 'user', path: this.configPath(situation), format: 'json-lists', writable: true }];
  }

  private configPath(situation: Situation): string {
    return join(ccrHome(situation), 'config.json');
  }

  detect(situation: Situation): Promise<{ installed: boolean; configured: boolean }> {
    return detectAgent(info, this.deps.vault, situation);
  }

  async picture(situation: Situation): Promise<AgentPicture> {
    return computeCcrPicture(await this.inputs(situation, await readSettingsFile(this.configPath(situation))));
  }

  private async inputs(
    situation: Situation,
    text: string | null,
    planned?: { script: string; transformer: string },
  ): Promise<CcrInputs> {
    const configPath = this.configPath(situation);
    const parsed = text === null ? null : parseLenientJsonText(text);
    const config = parsed?.ok ? parsed.value : {};
    const providerList = Array.isArray(config.Providers)
      ? config.Providers
      : Array.isArray(config.providers)
        ? config.providers
        : [];
    const providers = providerList.map((p) => readProvider(asRecord(p))).filter((p): p is CcrProvider => p !== null);
    const router = asRecord(config.Router);
    const routerDefault = typeof router.default === 'string' ? router.default : undefined;
    const transformerPath = ccrTransformerPath(this.deps.dataDir);
    const transformerEntry = asRecord(findElement(config, ['transformers'], elementSegment('path', transformerPath)));
    const options = asRecord(transformerEntry.options);
    const command = typeof options.command === 'string' ? options.command : undefined;
    const args = Array.isArray(options.args) ? options.args.filter((a): a is string => typeof a === 'string') : [];
    const selected = providers.find((p) => p.name === routerDefault?.split(',')[0]);
    const logsDir = join(ccrHome(situation), 'logs');
    const inputs: CcrInputs = {
      cwd: situation.cwd,
      configPath,
      ...(parsed && !parsed.ok ? { configProblem: `${parsed.problem} at line ${parsed.line}, column ${parsed.column}` } : {}),
      providers,
      ...(routerDefault ? { routerDefault } : {}),
      ...(typeof config.APIKEY === 'string' && config.APIKEY !== '' ? { localToken: config.APIKEY } : {}),
      log: config.LOG,
      logLevel: config.LOG_LEVEL,
      keytrayTransformer: command !== undefined,
      topLevelSecrets: Object.entries(config)
        .filter(([name, value]) => name !== 'APIKEY' && SECRET_NAME.test(name) && typeof value === 'string' && value !== '')
        .map(([name, value]) => ({ name, value: value as string })),
      // A configure's apply makes the file the user's alone.
      configReadableByOthers:
        !planned && text !== null && situation.platform !== 'win32' && ((await modeOf(configPath)) & 0o044) !== 0,
      env: situation.env,
      envOrigin: situation.envOrigin,
      logsDir,
      logsWithCredential: await logsWithCredential(logsDir),
      tmpSettingsFiles: await tmpSettingsFiles(ccrTmpFolder(situation)),
      ...((await exists(sqlitePath(situation))) ? { sqliteConfig: sqlitePath(situation) } : {}),
    };
    const target = command && isHelperScript(command) ? parseHelperArgs(args) : null;
    if (command && target && selected?.uses.includes(CCR_PROVIDER_NAME)) {
      const base = selected.baseUrl?.replace(/\/v1\/chat\/completions$/, '');
      const route = base ? proxyRouteOf(base) : null;
      inputs.helper = await describeTarget(
        command,
        target,
        this.deps.vault,
        route && base ? { url: base, ...route } : null,
        'claude-code-router',
        helperScriptPath(this.deps.dataDir, situation.platform),
        planned?.script,
      );
    }
    return inputs;
  }

  async plan(request: ConfigureRequest): Promise<AgentPlan> {
    const { situation } = request;
    const scope = scopeOf(info, request.scope);
    const path = this.configPath(situation);
    const meta = await this.deps.vault.readMetadata();
    const remembered = bindingOf(meta, 'claude-code-router', path);
    const mode: ConfigurableMode = request.mode ?? remembered?.mode ?? 'helper';
    const provider = checkAgentProvider(
      info,
      request.provider ?? remembered?.provider ?? 'openai',
      mode,
      'sends OpenAI-shaped chat completions upstream',
    );
    const label = request.label ?? (request.provider === undefined ? remembered?.label : undefined);
    if (await exists(sqlitePath(situation))) {
      throw new KeyTrayError(
        'inconsistent',
        `${sqlitePath(situation)} exists: claude-code-router 3.x keeps its configuration there and ignores config.json, so KeyTray did not write it.`,
        {
          fix: "KeyTray configures ccr 2.x. With 3.x, give ccr the key in its own settings (`ccr ui`), or point its provider at KeyTray's proxy (`keytray proxy`) with the proxy token as its key.",
        },
      );
    }
    // The key must exist: without it every request through ccr fails.
    const key = await this.deps.vault.show(provider, label);
    const target = helperTargetFor(mode, provider, label, key.label);
    const script = helperScriptPath(this.deps.dataDir, situation.platform);
    const transformer = ccrTransformerPath(this.deps.dataDir);

    const before = await readSettingsFile(path);
    const parsed = before === null ? null : parseLenientJsonText(before);
    const current = parsed?.ok ? parsed.value : {};
    const list = providersKey(current);
    const mine = asRecord(findElement(current, [list], elementSegment('name', CCR_PROVIDER_NAME)));
    const keptModels = Array.isArray(mine.models) ? mine.models.filter((m): m is string => typeof m === 'string') : [];
    const models = keptModels.length ? keptModels : [DEFAULT_MODELS[provider] ?? 'gpt-4.1'];
    const router = asRecord(current.Router);
    const previousDefault = typeof router.default === 'string' ? router.default : undefined;
    const ours = previousDefault?.startsWith(`${CCR_PROVIDER_NAME},`);

    const replaced: Record<string, string> = { ...remembered?.replaced };
    const wrote: Record<string, string> = { ...remembered?.wrote };
    const changes: Change[] = [
      {
        path: [list, elementSegment('name', CCR_PROVIDER_NAME)],
        value: {
          name: CCR_PROVIDER_NAME,
          api_base_url: `${await upstreamBase(this.deps.vault, provider, mode, meta)}/v1/chat/completions`,
          api_key: CCR_KEY_PLACEHOLDER,
          models,
          transformer: { use: [CCR_PROVIDER_NAME] },
        },
      },
      {
        path: ['transformers', elementSegment('path', transformer)],
        value: { path: transformer, options: { command: script, args: helperArgs(target) } },
      },
    ];
    if (!Array.isArray(current[list])) wrote.Providers = 'list';
    if (!Array.isArray(current.transformers)) wrote.transformers = 'list';
    if (!ours) {
      changes.push({ path: ['Router', 'default'], value: `${CCR_PROVIDER_NAME},${models[0]}` });
      if (previousDefault !== undefined) replaced.routerDefault = previousDefault;
      if (current.Router === undefined) wrote.Router = 'object';
    }
    if (typeof current.APIKEY !== 'string' || current.APIKEY === '') {
      changes.push({ path: ['APIKEY'], value: `${CCR_LOCAL_TOKEN_PREFIX}${randomBytes(24).toString('base64url')}` });
      wrote.APIKEY = 'local-token';
    }
    if (logsHeaders(current.LOG, current.LOG_LEVEL)) {
      changes.push({ path: ['LOG_LEVEL'], value: 'info' });
      if (typeof current.LOG_LEVEL === 'string') replaced.LOG_LEVEL = current.LOG_LEVEL;
      wrote.LOG_LEVEL = 'info';
    }
    const settings = await planSettingsChange(path, changes, FORMAT);
    const binding: AgentBinding = {
      provider,
      ...(label ? { label } : {}),
      ...(mode === 'proxy' ? { mode } : {}),
      ...(Object.keys(replaced).length ? { replaced } : {}),
      ...(Object.keys(wrote).length ? { wrote } : {}),
    };
    return this.finish('configure', scope, binding, situation, settings, { script, transformer });
  }

  async planRemove(scope: string | undefined, situation: Situation): Promise<AgentPlan> {
    const chosen = scopeOf(info, scope);
    const path = this.configPath(situation);
    const meta = await this.deps.vault.readMetadata();
    const remembered = bindingOf(meta, 'claude-code-router', path);
    const wrote = remembered?.wrote ?? {};
    const replaced = remembered?.replaced ?? {};
    const text = await readSettingsFile(path);
    const parsed = text === null ? null : parseLenientJsonText(text);
    const current = parsed?.ok ? parsed.value : {};
    const transformer = ccrTransformerPath(this.deps.dataDir);
    const changes: Change[] = [];
    const onlyOurs = (list: unknown, property: string, value: string) =>
      Array.isArray(list) && list.every((e) => asRecord(e)[property] === value);
    const list = providersKey(current);
    changes.push(
      onlyOurs(current[list], 'name', CCR_PROVIDER_NAME) && wrote.Providers
        ? { path: [list], value: undefined }
        : { path: [list, elementSegment('name', CCR_PROVIDER_NAME)], value: undefined },
      onlyOurs(current.transformers, 'path', transformer) && wrote.transformers
        ? { path: ['transformers'], value: undefined }
        : { path: ['transformers', elementSegment('path', transformer)], value: undefined },
    );
    const router = asRecord(current.Router);
    if (typeof router.default === 'string' && router.default.startsWith(`${CCR_PROVIDER_NAME},`)) {
      const others = Object.keys(router).filter((k) => k !== 'default');
      changes.push(
        replaced.routerDefault === undefined && wrote.Router && others.length === 0
          ? { path: ['Router'], value: undefined }
          : { path: ['Router', 'default'], value: replaced.routerDefault },
      );
    }
    if (wrote.APIKEY && typeof current.APIKEY === 'string' && current.APIKEY.startsWith(CCR_LOCAL_TOKEN_PREFIX)) {
      changes.push({ path: ['APIKEY'], value: undefined });
    }
    if (wrote.LOG_LEVEL && current.LOG_LEVEL === wrote.LOG_LEVEL) {
      changes.push({ path: ['LOG_LEVEL'], value: replaced.LOG_LEVEL });
    }
    const settings = await planSettingsChange(path, changes, FORMAT);
    return this.finish('remove', chosen, null, situation, settings);
  }

  private async finish(
    action: AgentPlan['action'],
    scope: string,
    binding: AgentBinding | null,
    situation: Situation,
    settings: SettingsPlan,
    planned?: { script: string; transformer: string },
  ): Promise<AgentPlan> {
    const before = computeCcrPicture(await this.inputs(situation, settings.before));
    const after = computeCcrPicture(await this.inputs(situation, settings.after, planned));
    return {
      agent: 'claude-code-router',
      action,
      scope,
      binding,
      files: [settings],
      bindingPath: settings.path,
      ...(planned ? { command: planned.script } : {}),
      before,
      after,
    };
  }

  async apply(plan: AgentPlan): Promise<void> {
    if (plan.action === 'configure') await ensureCcrTransformer(this.deps.dataDir);
    await applyHelperPlan(this.deps, plan);
    // ccr creates config.json readable by all; its APIKEY lets whoever reads it use ccr's server, and so the key.
    if (plan.action === 'configure' && process.platform !== 'win32') {
      const path = plan.files[0]?.target ?? plan.bindingPath;
      const mode = await modeOf(path);
      if (mode & 0o077) await chmod(path, mode & 0o700);
    }
  }

  async undo(scope: string | undefined, situation: Situation): Promise<UndoResult> {
    scopeOf(info, scope);
    const files = this.configFiles(situation);
    const undone = await undoAgentFiles(this.deps, 'claude-code-router', info.label, files, this.configPath(situation));
    return { files: undone, after: await this.picture(situation) };
  }

  watchPaths(situation: Situation): string[] {
    return [ccrHome(situation), ccrTmpFolder(situation)];
  }

  /** ccr's log files that hold a credential from an authorization header: what `--delete-logs` would delete. */
  async leakedLogs(situation: Situation): Promise<string[]> {
    return logsWithCredential(join(ccrHome(situation), 'logs'));
  }

  /** Deletes exactly those files (read again now, so a log that no longer holds one stays). */
  async deleteLeakedLogs(situation: Situation, expected: string[]): Promise<string[]> {
    const now = new Set(await this.leakedLogs(situation));
    const deleted: string[] = [];
    for (const path of expected) {
      if (!now.has(path)) continue;
      await rm(path, { force: true });
      deleted.push(path);
    }
    return deleted;
  }
}

/** ccr reads `Providers`, else `providers`: KeyTray's entry goes in the list ccr will read. */
function providersKey(config: Record<string, unknown>): 'Providers' | 'providers' {
  return !Array.isArray(config.Providers) && Array.isArray(config.providers) ? 'providers' : 'Providers';
}

function readProvider(entry: Record<string, unknown>): CcrProvider | null {
  if (typeof entry.name !== 'string') return null;
  const use = asRecord(entry.transformer).use;
  return {
    name: entry.name,
    ...(typeof entry.api_base_url === 'string' ? { baseUrl: entry.api_base_url } : {}),
    ...(typeof entry.api_key === 'string' && entry.api_key !== '' ? { apiKey: entry.api_key } : {}),
    uses: Array.isArray(use) ? use.filter((u): u is string => typeof u === 'string') : [],
  };
}

/** ccr 3.x's configuration database (its docs: config.json is then only a one-time migration source). */
function sqlitePath(situation: Situation): string {
  return join(ccrHome(situation), 'config.sqlite');
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null)) !== null;
}

async function modeOf(path: string): Promise<number> {
  return (await stat(path).catch(() => null))?.mode ?? 0;
}

async function logsWithCredential(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const found: string[] = [];
  for (const name of names.sort()) {
    if (!name.endsWith('.log')) continue;
    const path = join(dir, name);
    const text = await readFile(path, 'latin1').catch(() => '');
    if (LOGGED_CREDENTIAL.test(text)) found.push(path);
  }
  return found;
}

async function tmpSettingsFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const found: string[] = [];
  for (const name of names.sort()) {
    if (!/^ccr-settings-[0-9a-f]+\.json$/.test(name)) continue;
    const path = join(dir, name);
    const text = await readFile(path, 'utf8').catch(() => '');
    if (text.includes('ANTHROPIC_AUTH_TOKEN') && ((await modeOf(path)) & 0o044) !== 0) found.push(path);
  }
  return found;
}
