/**
 * Codex CLI behind the agent seam. KeyTray declares its own provider,
 * `[model_providers.keytray]`, in `$CODEX_HOME/config.toml` (never a
 * reserved id), selects it with `model_provider`, and gives it an `auth`
 * command: KeyTray's helper, which prints the key (helper mode) or a proxy
 * token while `base_url` points at the proxy (proxy mode). No key or token
 * is ever written to a file or an environment variable.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AGENTS, type ConfigurableMode } from '../../../../shared/agents/catalog';
import { type CodexInputs, type CodexProvider, computeCodexPicture } from '../../../../shared/agents/codex/picture';
import type { AgentPicture } from '../../../../shared/agents/picture';
import { KeyTrayError } from '../../../../shared/errors';
import { asRecord, type Change } from '../../../../shared/formats/file-format';
import { parseTomlText } from '../../../../shared/formats/toml-edit';
import { helperArgs, helperTargetFor, isHelperScript, parseHelperArgs } from '../../../../shared/helper-command';
import type { AgentBinding } from '../../../../shared/metadata';
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
import { applyHelperPlan, bindingOf, detectAgent, oneFilePlan, undoAgentFiles } from '../bindings';
import { helperScriptPath } from '../helper-script';
import { describeTarget, upstreamBase } from '../helper-target';
import { type ImportedKey, moveKeyIntoKeychain } from '../import-key';
import type { Situation } from '../situation';

const info = AGENTS.codex;

/** KeyTray's provider id in config.toml. */
export const CODEX_PROVIDER_ID = 'keytray';
const TABLE = ['model_providers', CODEX_PROVIDER_ID];
/** Every key KeyTray writes in its provider's tables: what remove takes out. */
const OWNED: string[][] = [
  [...TABLE, 'name'],
  [...TABLE, 'base_url'],
  [...TABLE, 'wire_api'],
  [...TABLE, 'auth', 'command'],
  [...TABLE, 'auth', 'args'],
];
/** Settings that Codex refuses beside an auth command. */
const CONFLICTING: string[][] = [
  [...TABLE, 'env_key'],
  [...TABLE, 'experimental_bearer_token'],
  [...TABLE, 'requires_openai_auth'],
];

/** `CODEX_HOME`, else `~/.codex`. */
export function codexHome(situation: Situation): string {
  return situation.env.CODEX_HOME || join(situation.home, '.codex');
}

export class CodexAgent implements AgentIntegration {
  readonly info = info;

  constructor(private readonly deps: AgentDeps) {}

  configFiles(situation: Situation): ConfigFile[] {
    return [{ scope: 'user', path: join(codexHome(situation), 'config.toml'), format: 'toml', writable: true }];
  }

  private configPath(situation: Situation): string {
    return join(codexHome(situation), 'config.toml');
  }

  detect(situation: Situation): Promise<{ installed: boolean; configured: boolean }> {
    return detectAgent(info, this.deps.vault, situation);
  }

  async picture(situation: Situation): Promise<AgentPicture> {
    const path = this.configPath(situation);
    return computeCodexPicture(await this.inputs(situation, await readSettingsFile(path)));
  }

  /**
   * What the picture needs, with config.toml as `text` (as it is, or as a plan would leave it;
   * then `plannedScript` is the helper script the plan will write).
   */
  private async inputs(situation: Situation, text: string | null, plannedScript?: string): Promise<CodexInputs> {
    const configPath = this.configPath(situation);
    const parsed = text === null ? null : parseTomlText(text);
    const config = parsed?.ok ? parsed.value : {};
    const providers: Record<string, CodexProvider> = {};
    for (const [id, table] of Object.entries(asRecord(config.model_providers))) providers[id] = readProvider(asRecord(table));
    const modelProvider = typeof config.model_provider === 'string' ? config.model_provider : undefined;
    const selected = providers[modelProvider ?? 'openai'];
    const inputs: CodexInputs = {
      cwd: situation.cwd,
      configPath,
      ...(parsed && !parsed.ok ? { configProblem: `${parsed.problem} at line ${parsed.line}, column ${parsed.column}` } : {}),
      ...(modelProvider ? { modelProvider } : {}),
      ...(typeof config.openai_base_url === 'string' ? { openaiBaseUrl: config.openai_base_url } : {}),
      providers,
      shellSnapshot: asRecord(config.features).shell_snapshot !== false,
      env: situation.env,
      envOrigin: situation.envOrigin,
      authJson: await readAuthJson(join(codexHome(situation), 'auth.json')),
    };
    const auth = selected?.auth;
    const target = auth && isHelperScript(auth.command) ? parseHelperArgs(auth.args) : null;
    if (auth && target) {
      const route = selected.baseUrl ? proxyRouteOf(selected.baseUrl) : null;
      inputs.helper = await describeTarget(
        auth.command,
        target,
        this.deps.vault,
        route && selected.baseUrl ? { url: selected.baseUrl, ...route } : null,
        'codex',
        helperScriptPath(this.deps.dataDir, situation.platform),
        plannedScript,
      );
    }
    return inputs;
  }

  async plan(request: ConfigureRequest): Promise<AgentPlan> {
    const { situation } = request;
    const scope = scopeOf(info, request.scope);
    const path = this.configPath(situation);
    const meta = await this.deps.vault.readMetadata();
    const remembered = bindingOf(meta, 'codex', path);
    const mode: ConfigurableMode = request.mode ?? remembered?.mode ?? 'helper';
    const provider = checkAgentProvider(
      info,
      request.provider ?? remembered?.provider ?? 'openai',
      mode,
      'speaks the OpenAI Responses API',
    );
    const label = request.label ?? (request.provider === undefined ? remembered?.label : undefined);
    // The key must exist: a failing auth command makes Codex send no credential at all.
    const key = await this.deps.vault.show(provider, label);
    const target = helperTargetFor(mode, provider, label, key.label);
    const baseUrl = `${await upstreamBase(this.deps.vault, provider, mode, meta)}/v1`;
    const command = helperScriptPath(this.deps.dataDir, situation.platform);
    const args = helperArgs(target);

    const before = await readSettingsFile(path);
    const parsed = before === null ? null : parseTomlText(before);
    const current = parsed?.ok ? parsed.value : {};
    const previous = typeof current.model_provider === 'string' ? current.model_provider : undefined;
    const replaced =
      previous !== undefined && previous !== CODEX_PROVIDER_ID ? { model_provider: previous } : remembered?.replaced;
    const changes: Change[] = [
      { path: ['model_provider'], value: CODEX_PROVIDER_ID },
      { path: [...TABLE, 'name'], value: 'KeyTray' },
      { path: [...TABLE, 'base_url'], value: baseUrl },
      { path: [...TABLE, 'wire_api'], value: 'responses' },
      { path: [...TABLE, 'auth', 'command'], value: command },
      { path: [...TABLE, 'auth', 'args'], value: args },
      ...CONFLICTING.map((p) => ({ path: p, value: undefined })),
    ];
    const settings = await planSettingsChange(path, changes, FORMATS.toml);
    const binding: AgentBinding = {
      provider,
      ...(label ? { label } : {}),
      ...(mode === 'proxy' ? { mode } : {}),
      ...(replaced ? { replaced } : {}),
    };
    return this.finish('configure', scope, binding, situation, settings, command);
  }

  async planRemove(scope: string | undefined, situation: Situation): Promise<AgentPlan> {
    const chosen = scopeOf(info, scope);
    const path = this.configPath(situation);
    const meta = await this.deps.vault.readMetadata();
    const remembered = bindingOf(meta, 'codex', path);
    const text = await readSettingsFile(path);
    const parsed = text === null ? null : parseTomlText(text);
    const current = parsed?.ok ? parsed.value : {};
    const changes: Change[] = OWNED.map((p) => ({ path: p, value: undefined }));
    if (current.model_provider === CODEX_PROVIDER_ID) {
      changes.unshift({ path: ['model_provider'], value: remembered?.replaced?.model_provider });
    }
    const settings = await planSettingsChange(path, changes, FORMATS.toml);
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
      computeCodexPicture(await this.inputs(situation, text, planned));
    return oneFilePlan('codex', action, scope, binding, settings, pictureOf, command);
  }

  apply(plan: AgentPlan): Promise<void> {
    return applyHelperPlan(this.deps, plan);
  }

  async undo(scope: string | undefined, situation: Situation): Promise<UndoResult> {
    scopeOf(info, scope);
    const files = this.configFiles(situation);
    const undone = await undoAgentFiles(this.deps, 'codex', info.label, files, this.configPath(situation));
    return { files: undone, after: await this.picture(situation) };
  }

  watchPaths(situation: Situation): string[] {
    return [codexHome(situation)];
  }

  /**
   * Moves the key `codex login --with-api-key` left in auth.json into the
   * keychain: stores it (unless KeyTray holds it already), reads it back,
   * and only then takes it out of the file, through the writer (backup,
   * undo). Returns the key's label and the file's diff.
   */
  async importKey(situation: Situation, label = 'codex'): Promise<ImportedKey> {
    const path = join(codexHome(situation), 'auth.json');
    const auth = await readAuthJson(path);
    if (!auth?.apiKey) throw new KeyTrayError('not-found', `${path} holds no OpenAI key to move.`);
    // null, as Codex itself writes it for a ChatGPT login without a key.
    const plan = await planSettingsChange(path, [{ path: ['OPENAI_API_KEY'], value: null }], FORMATS.json);
    return moveKeyIntoKeychain(this.deps, 'openai', label, auth.apiKey, plan);
  }
}

function readProvider(table: Record<string, unknown>): CodexProvider {
  const auth = asRecord(table.auth);
  const args = Array.isArray(auth.args) ? auth.args.filter((a): a is string => typeof a === 'string') : [];
  return {
    ...(typeof table.name === 'string' ? { name: table.name } : {}),
    ...(typeof table.base_url === 'string' ? { baseUrl: table.base_url } : {}),
    ...(typeof table.env_key === 'string' ? { envKey: table.env_key } : {}),
    ...(typeof table.experimental_bearer_token === 'string' ? { bearerToken: table.experimental_bearer_token } : {}),
    ...(typeof auth.command === 'string' ? { auth: { command: auth.command, args } } : {}),
    ...(typeof table.wire_api === 'string' ? { wireApi: table.wire_api } : {}),
  };
}

async function readAuthJson(path: string): Promise<CodexInputs['authJson']> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return null;
  }
  const record = asRecord(value);
  const apiKey = typeof record.OPENAI_API_KEY === 'string' && record.OPENAI_API_KEY !== '' ? record.OPENAI_API_KEY : undefined;
  const chatgpt = typeof asRecord(record.tokens).access_token === 'string';
  if (!apiKey && !chatgpt) return null;
  return { path, ...(apiKey ? { apiKey } : {}), chatgpt };
}
