/**
 * Gemini CLI behind the agent seam. It has no key command, so KeyTray
 * configures proxy mode: `~/.gemini/.env` gets `GOOGLE_GEMINI_BASE_URL`
 * pointing at the proxy's Gemini route and, as `GEMINI_API_KEY`, a route
 * token that works on that route only and only while its binding exists;
 * `~/.gemini/settings.json` gets the auth type a headless run needs. The
 * key itself stays in the keychain (or goes to one process with
 * `keytray exec --provider gemini -- gemini …`).
 */
import { randomBytes } from 'node:crypto';
import { dirname, join, parse as parsePath } from 'node:path';
import { AGENTS } from '../../../../shared/agents/catalog';
import { computeGeminiPicture, type GeminiInputs } from '../../../../shared/agents/gemini-cli/picture';
import type { AgentPicture } from '../../../../shared/agents/picture';
import { KeyTrayError } from '../../../../shared/errors';
import { asRecord } from '../../../../shared/formats/file-format';
import { maskSecret } from '../../../../shared/mask';
import type { AgentBinding } from '../../../../shared/metadata';
import type { ProviderId } from '../../../../shared/providers';
import { proxyBaseUrl, proxyRouteOf } from '../../../../shared/proxy-types';
import { assignmentLine } from '../../files/dotenv-edit';
import { exists } from '../../files/exists';
import { FORMATS } from '../../files/formats';
import { planSettingsChange, readSettingsFile, type SettingsPlan } from '../../files/settings-writer';
import { proxyState } from '../../proxy/identity';
import { routeToken } from '../../proxy/proxy-token';
import {
  type AgentIntegration,
  type AgentPlan,
  type ConfigFile,
  type ConfigureRequest,
  scopeOf,
  type UndoResult,
} from '../agent';
import type { AgentDeps } from '../agent-deps';
import { applyAgentPlan, bindingOf, detectAgent, undoAgentFiles } from '../bindings';
import { type ImportedKey, moveKeyIntoKeychain } from '../import-key';
import type { Situation } from '../situation';
import { openCredentials, sealCredentials, storedApiKey, withoutApiKey } from './credentials-file';

const info = AGENTS['gemini-cli'];
const PROVIDER: ProviderId = 'gemini';
const AUTH_TYPE = 'gemini-api-key';

/** `$GEMINI_CLI_HOME/.gemini`, else `~/.gemini`. */
export function geminiDir(situation: Situation): string {
  return join(situation.env.GEMINI_CLI_HOME || situation.home, '.gemini');
}

export class GeminiCliAgent implements AgentIntegration {
  readonly info = info;

  constructor(private readonly deps: AgentDeps) {}

  configFiles(situation: Situation): ConfigFile[] {
    const dir = geminiDir(situation);
    return [
      { scope: 'user', path: join(dir, '.env'), format: 'dotenv', writable: true },
      { scope: 'user', path: join(dir, 'settings.json'), format: 'jsonc', writable: true },
    ];
  }

  private paths(situation: Situation): { dotenv: string; settings: string } {
    const dir = geminiDir(situation);
    return { dotenv: join(dir, '.env'), settings: join(dir, 'settings.json') };
  }

  detect(situation: Situation): Promise<{ installed: boolean; configured: boolean }> {
    return detectAgent(info, this.deps.vault, situation);
  }

  async picture(situation: Situation): Promise<AgentPicture> {
    return computeGeminiPicture(await this.inputs(situation, {}));
  }

  /** What the picture needs, with files and binding as they are, or as a plan would leave them. */
  private async inputs(situation: Situation, planned: Planned = {}): Promise<GeminiInputs> {
    const files = planned.files ?? {};
    const read = async (path: string) => (path in files ? (files[path] ?? null) : await readSettingsFile(path).catch(() => null));
    const paths = this.paths(situation);
    const dotenvPath = await findDotenv(situation, async (path) => (path in files ? files[path] !== null : exists(path)));
    const dotenvText = dotenvPath ? await read(dotenvPath) : null;
    const dotenvParsed = dotenvText === null ? null : FORMATS.dotenv.parse(dotenvText);
    const settingsProblems: string[] = [];
    let selectedType: GeminiInputs['selectedType'] = null;
    // The workspace's settings override the user's.
    for (const path of [paths.settings, join(situation.cwd, '.gemini', 'settings.json')]) {
      const text = await read(path);
      if (text === null) continue;
      const parsed = FORMATS.jsonc.parse(text);
      if (!parsed.ok) {
        settingsProblems.push(`${path} is not valid JSON: ${parsed.problem} at line ${parsed.line}, column ${parsed.column}.`);
        continue;
      }
      const type = asRecord(asRecord(asRecord(parsed.value).security).auth).selectedType;
      if (typeof type === 'string') selectedType = { value: type, path };
    }
    const credentials = join(geminiDir(situation), 'gemini-credentials.json');
    const inputs: GeminiInputs = {
      cwd: situation.cwd,
      env: situation.env,
      envOrigin: situation.envOrigin,
      dotenv:
        dotenvPath && dotenvText !== null && dotenvParsed?.ok
          ? { path: dotenvPath, values: dotenvParsed.value as Record<string, string>, lines: variableLines(dotenvText) }
          : null,
      keytrayDotenvPath: paths.dotenv,
      selectedType,
      settingsProblems,
      credentialsFile: (await exists(credentials)) ? credentials : null,
      keytray: await this.keytrayToken(paths.dotenv, planned),
    };
    return inputs;
  }

  /** KeyTray's route token for this user's Gemini CLI, from its binding: the key it stands for and the proxy it goes to. */
  private async keytrayToken(dotenvPath: string, planned: Planned): Promise<GeminiInputs['keytray']> {
    const binding =
      planned.binding !== undefined ? planned.binding : bindingOf(await this.deps.vault.readMetadata(), 'gemini-cli', dotenvPath);
    if (!binding?.tokenId) return null;
    const install = await this.deps.vault.existingProxyToken();
    const port = await this.deps.vault.proxyPort();
    const proxyUrl = proxyBaseUrl(port, binding.provider);
    let label = binding.label ?? '(active)';
    let problem: string | undefined;
    try {
      label = (await this.deps.vault.show(binding.provider, binding.label)).label;
    } catch (error) {
      problem = error instanceof KeyTrayError ? error.message : 'KeyTray cannot read its keys';
    }
    if (!install) problem = 'KeyTray has no proxy token yet';
    return {
      provider: binding.provider,
      label,
      masked: install
        ? maskSecret(
            routeToken(install, {
              provider: binding.provider,
              ...(binding.label ? { label: binding.label } : {}),
              tokenId: binding.tokenId,
            }),
          )
        : '',
      proxyUrl,
      ...(await proxyState(port, install)),
      ...(problem ? { problem } : {}),
    };
  }

  async plan(request: ConfigureRequest): Promise<AgentPlan> {
    const { situation } = request;
    const scope = scopeOf(info, request.scope);
    if (request.mode === 'helper') {
      throw new KeyTrayError('usage', 'Gemini CLI has no key command, so KeyTray configures it in proxy mode only.', {
        fix: 'Leave out --mode, or run it with the key in its environment: `keytray exec --provider gemini -- gemini …`.',
      });
    }
    if (request.provider !== undefined && request.provider !== PROVIDER) {
      throw new KeyTrayError(
        'usage',
        `Gemini CLI speaks the Gemini API, so KeyTray cannot give it a "${request.provider}" key.`,
        {
          fix: 'Use --provider gemini.',
        },
      );
    }
    const paths = this.paths(situation);
    const meta = await this.deps.vault.readMetadata();
    const remembered = bindingOf(meta, 'gemini-cli', paths.dotenv);
    const label = request.label ?? remembered?.label;
    // The key must exist: the proxy would answer every request with an error otherwise.
    await this.deps.vault.show(PROVIDER, label);
    // The token goes into the file, so the install's token must exist now (it lives in the keychain).
    const install = await this.deps.vault.proxyToken();
    const tokenId = remembered?.tokenId ?? randomBytes(16).toString('hex');
    const binding: AgentBinding = { provider: PROVIDER, ...(label ? { label } : {}), mode: 'proxy', tokenId };
    const token = routeToken(install, { provider: PROVIDER, ...(label ? { label } : {}), tokenId });
    const url = proxyBaseUrl(await this.deps.vault.proxyPort(), PROVIDER);
    const dotenv = await planSettingsChange(
      paths.dotenv,
      [
        { path: ['GOOGLE_GEMINI_BASE_URL'], value: url },
        { path: ['GEMINI_API_KEY'], value: token },
      ],
      FORMATS.dotenv,
    );
    const settings = await planSettingsChange(
      paths.settings,
      [{ path: ['security', 'auth', 'selectedType'], value: AUTH_TYPE }],
      FORMATS.jsonc,
    );
    return this.finish('configure', scope, binding, situation, [dotenv, settings]);
  }

  async planRemove(scope: string | undefined, situation: Situation): Promise<AgentPlan> {
    const chosen = scopeOf(info, scope);
    const paths = this.paths(situation);
    const text = await readSettingsFile(paths.dotenv);
    const values = text === null ? {} : (FORMATS.dotenv.parse(text) as { ok: true; value: Record<string, string> }).value;
    const changes = [];
    // Exactly what KeyTray wrote: its token, and a base URL that points at its proxy.
    if (values.GEMINI_API_KEY?.startsWith('ktp_')) changes.push({ path: ['GEMINI_API_KEY'], value: undefined });
    if (values.GOOGLE_GEMINI_BASE_URL && proxyRouteOf(values.GOOGLE_GEMINI_BASE_URL)) {
      changes.push({ path: ['GOOGLE_GEMINI_BASE_URL'], value: undefined });
    }
    const dotenv = await planSettingsChange(paths.dotenv, changes, FORMATS.dotenv);
    // The auth type stays: it is the user's choice too, and says nothing secret.
    return this.finish('remove', chosen, null, situation, [dotenv]);
  }

  private async finish(
    action: AgentPlan['action'],
    scope: string,
    binding: AgentBinding | null,
    situation: Situation,
    files: SettingsPlan[],
  ): Promise<AgentPlan> {
    const after: Planned = { files: Object.fromEntries(files.map((f) => [f.path, f.after])), binding };
    const before = computeGeminiPicture(await this.inputs(situation));
    return {
      agent: 'gemini-cli',
      action,
      scope,
      binding,
      files,
      bindingPath: this.paths(situation).dotenv,
      before,
      after: computeGeminiPicture(await this.inputs(situation, after)),
    };
  }

  async apply(plan: AgentPlan): Promise<void> {
    await applyAgentPlan(this.deps, plan);
  }

  async undo(scope: string | undefined, situation: Situation): Promise<UndoResult> {
    scopeOf(info, scope);
    const files = this.configFiles(situation);
    const undone = await undoAgentFiles(this.deps, 'gemini-cli', info.label, files, this.paths(situation).dotenv);
    return { files: undone, after: await this.picture(situation) };
  }

  /**
   * Moves the API key Gemini CLI keeps in gemini-credentials.json into the
   * keychain, and writes the file back, in Gemini's own form, without it.
   */
  async importKey(situation: Situation, label = 'gemini-cli'): Promise<ImportedKey> {
    const path = join(geminiDir(situation), 'gemini-credentials.json');
    const text = await readSettingsFile(path);
    const entries = text === null ? null : openCredentials(text);
    if (text !== null && entries === null) {
      throw new KeyTrayError(
        'inconsistent',
        `${path} cannot be read as Gemini CLI's store on this machine; it was left as it was.`,
        {
          fix: 'Gemini CLI cannot read it either; delete it and add the key with `keytray keys add gemini`.',
        },
      );
    }
    const secret = entries ? storedApiKey(entries) : null;
    if (!entries || !secret) throw new KeyTrayError('not-found', `${path} holds no Gemini key to move.`);
    const after = sealCredentials(withoutApiKey(entries));
    const plan: SettingsPlan = {
      path,
      format: FORMATS.opaque,
      before: text,
      after,
      diff: `${path}: Gemini CLI's stored API key taken out (the file is encrypted; nothing else in it changed)\n`,
    };
    return moveKeyIntoKeychain(this.deps, PROVIDER, label, secret, plan);
  }

  watchPaths(situation: Situation): string[] {
    return [geminiDir(situation), join(situation.cwd, '.env'), join(situation.cwd, '.gemini')];
  }
}

/** Where the variables that matter sit in a .env file. */
function variableLines(text: string): Record<string, number> {
  const lines: Record<string, number> = {};
  for (const name of ['GEMINI_API_KEY', 'GOOGLE_GEMINI_BASE_URL']) {
    const line = assignmentLine(text, name);
    if (line !== null) lines[name] = line;
  }
  return lines;
}

/** Files (by path) and binding as a plan would leave them. */
interface Planned {
  files?: Record<string, string | null>;
  binding?: AgentBinding | null;
}

/**
 * The one .env file Gemini CLI loads for a folder: `.gemini/.env` then
 * `.env` in the folder and each parent up to the root, then
 * `~/.gemini/.env` and `~/.env` (a trusted folder; headless runs need one).
 */
export async function findDotenv(situation: Situation, present: (path: string) => Promise<boolean>): Promise<string | null> {
  let dir = situation.cwd;
  for (;;) {
    for (const candidate of [join(dir, '.gemini', '.env'), join(dir, '.env')]) if (await present(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir || dir === parsePath(dir).root) break;
    dir = parent;
  }
  const home = situation.env.GEMINI_CLI_HOME || situation.home;
  for (const candidate of [join(home, '.gemini', '.env'), join(home, '.env')]) if (await present(candidate)) return candidate;
  return null;
}
