/**
 * `keytray provider …`: the catalog, the providers a user defines (any
 * Anthropic-, OpenAI- or Gemini-compatible endpoint, from a preset or by
 * hand), and the per-provider settings (upstream base URL, AWS region,
 * workspace ID, Claude Code's model names). A change that moves where
 * requests go or which model they ask for rewrites the agent files
 * configured with that provider's keys.
 */
import { KeyTrayError } from '../../shared/errors';
import type { RewrittenFile } from '../../shared/ipc';
import type { ModelNames, ProviderSettings } from '../../shared/metadata';
import { problems } from '../../shared/problems';
import { PROVIDER_PRESETS, presetNames } from '../../shared/provider-presets';
import { effectiveBaseUrl, normalizeBaseUrl, type SettingName } from '../../shared/provider-settings';
import {
  type AuthScheme,
  type CustomProvider,
  isBuiltinProviderId,
  type ProviderApi,
  providerIds,
  providerInfo,
} from '../../shared/providers';
import { reconfigureProvider } from '../core/agents/rebind';
import type { Vault } from '../core/vault/vault';
import { cliServices } from './agent-commands';
import { JSON_OPTION, parse } from './args';
import { closest } from './did-you-mean';
import { printJson, printLines, rewrittenLines, rewrittenStatus, warn } from './output';

export const PROVIDER_USAGE = `keytray provider list [--json]
       keytray provider presets [--json]
       keytray provider add <id> --label <name> --api anthropic|openai|gemini --base-url <url> [--auth x-api-key|bearer] [--key-url <url>] [--allow-http] [--json]
       keytray provider add --preset <name> [<id>] [--json]
       keytray provider edit <id> [--label <name>] [--base-url <url>] [--auth x-api-key|bearer] [--key-url <url>] [--allow-http] [--json]
       keytray provider remove <id> [--json]
       keytray provider set <provider> [--base-url <url> [--allow-http]] [--region <region>] [--workspace <id>] [--model <name>] [--opus-model <name>] [--sonnet-model <name>] [--haiku-model <name>] [--subagent-model <name>] [--fallback on|off] [--json]
       keytray provider unset <provider> <base-url|region|workspace|model|opus-model|sonnet-model|haiku-model|subagent-model>... [--json]`;

const ADD_USAGE =
  'keytray provider add <id> --label <name> --api anthropic|openai|gemini --base-url <url> [--auth x-api-key|bearer] [--key-url <url>] [--allow-http] [--json], or keytray provider add --preset <name> [<id>] [--json]';
const EDIT_USAGE =
  'keytray provider edit <id> [--label <name>] [--base-url <url>] [--auth x-api-key|bearer] [--key-url <url>] [--allow-http] [--json]';
const SET_USAGE =
  'keytray provider set <provider> [--base-url <url> [--allow-http]] [--region <region>] [--workspace <id>] [--model <name>] [--opus-model <name>] [--sonnet-model <name>] [--haiku-model <name>] [--subagent-model <name>] [--fallback on|off] [--json]';

/** CLI flag name → setting name. */
const FLAGS: Record<string, SettingName> = { 'base-url': 'baseUrl', region: 'region', workspace: 'workspaceId' };
/** CLI flag name → Claude Code model name (ModelNames). */
const MODEL_FLAGS: Record<string, keyof ModelNames> = {
  model: 'model',
  'opus-model': 'opus',
  'sonnet-model': 'sonnet',
  'haiku-model': 'haiku',
  'subagent-model': 'subagent',
};

export async function providerCommand(vault: Vault, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'list':
    case 'ls':
      return list(vault, rest);
    case 'presets':
      return presets(rest);
    case 'add':
      return add(vault, rest);
    case 'edit':
      return edit(vault, rest);
    case 'remove':
    case 'rm':
      return remove(vault, rest);
    case 'set':
      return set(vault, rest);
    case 'unset':
      return unset(vault, rest);
    default:
      throw new KeyTrayError('usage', sub ? `Unknown command "provider ${sub}".` : 'Missing a provider command.', {
        fix: `Usage: ${PROVIDER_USAGE}`,
      });
  }
}

async function list(vault: Vault, args: string[]): Promise<number> {
  const { values } = parse(args, JSON_OPTION, 'keytray provider list [--json]', { min: 0, max: 0 });
  const meta = await vault.readMetadata();
  const providers = providerIds().map((id) => {
    const info = providerInfo(id);
    const settings = meta.providers[id]?.settings ?? {};
    return {
      id,
      label: info.label,
      apis: info.apis,
      ...(info.custom ? { custom: true, ...(info.custom.preset ? { preset: info.custom.preset } : {}) } : {}),
      authScheme: info.authScheme,
      header: info.header,
      defaultBaseUrl: info.defaultBaseUrl,
      baseUrl: effectiveBaseUrl(id, settings),
      settings,
      keyFormat: info.keyFormat.description,
      keyUrl: info.keyUrl,
      keys: meta.providers[id]?.keys.length ?? 0,
    };
  });
  if (values.json) {
    printJson({ providers });
    return 0;
  }
  const lines: string[] = [];
  for (const p of providers) {
    const kind = p.custom ? `, yours${p.preset ? ` (preset ${p.preset})` : ''}` : '';
    lines.push(
      `${p.id} (${p.label}${kind}): ${p.keys} key${p.keys === 1 ? '' : 's'}, sent as ${p.header}; speaks ${p.apis.join(', ')}`,
    );
    lines.push(`  upstream: ${p.baseUrl ?? `${p.defaultBaseUrl} (set a region)`}${p.settings.baseUrl ? ' (custom)' : ''}`);
    if (p.settings.region) lines.push(`  region:   ${p.settings.region}`);
    if (p.settings.workspaceId) lines.push(`  workspace: ${p.settings.workspaceId}`);
    if (p.settings.models) lines.push(`  models:   ${modelWords(p.settings.models)}`);
    lines.push(`  get a key: ${p.keyUrl}`);
  }
  printLines(lines);
  return 0;
}

async function set(vault: Vault, args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      'base-url': { type: 'string' },
      region: { type: 'string' },
      workspace: { type: 'string' },
      'allow-http': { type: 'boolean' },
      ...Object.fromEntries(Object.keys(MODEL_FLAGS).map((flag) => [flag, { type: 'string' as const }])),
      fallback: { type: 'string' },
      ...JSON_OPTION,
    },
    SET_USAGE,
    { min: 1, max: 1 },
  );
  const patch: Partial<Record<SettingName, string>> = {};
  for (const [flag, name] of Object.entries(FLAGS)) {
    const value = values[flag as keyof typeof values];
    if (typeof value === 'string') patch[name] = value;
  }
  if (values.fallback !== undefined && values.fallback !== 'on' && values.fallback !== 'off')
    throw new KeyTrayError('usage', `--fallback takes on or off, not "${values.fallback.slice(0, 20)}".`);
  const models: Partial<Record<keyof ModelNames, string>> = {};
  for (const [flag, name] of Object.entries(MODEL_FLAGS)) {
    const value = values[flag as keyof typeof values];
    if (typeof value === 'string') models[name] = value;
  }
  if (Object.keys(patch).length === 0 && Object.keys(models).length === 0 && values.fallback === undefined) {
    throw new KeyTrayError('usage', 'Nothing to set.', {
      fix: `Give at least one of --base-url, --region, --workspace, --fallback, ${Object.keys(MODEL_FLAGS)
        .map((f) => `--${f}`)
        .join(', ')}.`,
    });
  }
  const note = patch.baseUrl ? normalizeBaseUrl(patch.baseUrl).note : undefined;
  if (note) warn(note);
  const provider = positionals[0] as string;
  let view = await vault.configureProvider(
    provider,
    { ...patch, ...(Object.keys(models).length > 0 ? { models } : {}) },
    { allowHttp: values['allow-http'] ?? false },
  );
  if (values.fallback !== undefined) view = await vault.setFallback(provider, values.fallback === 'on');
  return report(view, await reconfigureProvider(cliServices(vault).agents, vault, view.id), values.json);
}

async function unset(vault: Vault, args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    JSON_OPTION,
    'keytray provider unset <provider> <base-url|region|workspace>... [--json]',
    { min: 2, max: 4 },
  );
  const [provider, ...names] = positionals as [string, ...string[]];
  const patch: Partial<Record<SettingName, null>> = {};
  const models: Partial<Record<keyof ModelNames, null>> = {};
  for (const name of names) {
    const setting = FLAGS[name];
    const model = MODEL_FLAGS[name];
    if (setting) patch[setting] = null;
    else if (model) models[model] = null;
    else
      throw new KeyTrayError(
        'usage',
        `Unknown setting "${name}": use base-url, region, workspace, ${Object.keys(MODEL_FLAGS).join(', ')}.`,
      );
  }
  const view = await vault.configureProvider(provider, { ...patch, ...(Object.keys(models).length > 0 ? { models } : {}) });
  return report(view, await reconfigureProvider(cliServices(vault).agents, vault, view.id), values.json);
}

async function presets(args: string[]): Promise<number> {
  const { values } = parse(args, JSON_OPTION, 'keytray provider presets [--json]', { min: 0, max: 0 });
  if (values.json) {
    printJson({ presets: Object.entries(PROVIDER_PRESETS).map(([name, preset]) => ({ name, ...preset })) });
    return 0;
  }
  const lines: string[] = [];
  for (const [name, p] of Object.entries(PROVIDER_PRESETS)) {
    lines.push(`${name} (${p.label}): ${p.api} API at ${p.baseUrl}, key sent as ${p.auth}`);
    lines.push(`  source: ${p.docs}`);
  }
  lines.push('', 'Add one with `keytray provider add --preset <name>`; OpenRouter is built in (`--provider openrouter`).');
  printLines(lines);
  return 0;
}

const DEFINITION_OPTIONS = {
  label: { type: 'string' },
  api: { type: 'string' },
  'base-url': { type: 'string' },
  auth: { type: 'string' },
  'key-url': { type: 'string' },
  'allow-http': { type: 'boolean' },
  ...JSON_OPTION,
} as const;

async function add(vault: Vault, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { ...DEFINITION_OPTIONS, preset: { type: 'string' } }, ADD_USAGE, {
    min: 0,
    max: 1,
  });
  const preset = values.preset === undefined ? undefined : PROVIDER_PRESETS[values.preset];
  if (values.preset !== undefined && !preset) {
    const guess = closest(values.preset, presetNames());
    throw new KeyTrayError('usage', `There is no preset "${values.preset}".${guess ? ` Did you mean ${guess}?` : ''}`, {
      fix: `Presets: ${presetNames().join(', ')} (\`keytray provider presets\` describes them).`,
    });
  }
  const id = positionals[0] ?? values.preset;
  if (id === undefined) throw new KeyTrayError('usage', "Missing the new provider's id.", { fix: `Usage: ${ADD_USAGE}` });
  const api = values.api ?? preset?.api;
  const baseUrl = values['base-url'] ?? preset?.baseUrl;
  if (api === undefined || baseUrl === undefined || (values.label ?? preset?.label) === undefined) {
    throw new KeyTrayError('usage', 'A provider needs a label, an API and a base URL.', { fix: `Usage: ${ADD_USAGE}` });
  }
  const def: CustomProvider = {
    label: values.label ?? preset?.label ?? id,
    api: api as ProviderApi,
    baseUrl,
    auth: (values.auth ?? preset?.auth ?? defaultAuth(api)) as AuthScheme,
    ...((values['key-url'] ?? preset?.keyUrl) ? { keyUrl: values['key-url'] ?? preset?.keyUrl } : {}),
    ...(values.preset ? { preset: values.preset } : {}),
  };
  const note = normalizeBaseUrl(baseUrl).note;
  if (note) warn(note);
  const view = await vault.defineProvider(id, def, { allowHttp: values['allow-http'] ?? false });
  if (values.json) printJson({ provider: view, definition: def });
  else {
    printLines([
      `Added ${id} (${def.label}): the ${def.api} API at ${view.baseUrl}, key sent as ${def.auth}.`,
      `Store its key with \`keytray keys add ${id} --label <name>\`${def.api === 'anthropic' ? `, then \`keytray configure claude-code --provider ${id}\`` : ''}.`,
      ...(preset ? [`Source: ${preset.docs}`] : []),
    ]);
  }
  return 0;
}

/** The header an API's own clients send when nothing says otherwise. */
function defaultAuth(api: string): AuthScheme {
  return api === 'anthropic' ? 'x-api-key' : api === 'gemini' ? 'x-goog-api-key' : 'bearer';
}

async function edit(vault: Vault, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, DEFINITION_OPTIONS, EDIT_USAGE, { min: 1, max: 1 });
  const id = positionals[0] as string;
  const meta = await vault.readMetadata();
  const before = meta.custom?.[id];
  if (!before) {
    throw new KeyTrayError(
      'not-found',
      isBuiltinProviderId(id) ? `${id} is one of KeyTray's own providers: it cannot be edited.` : problems.unknownProvider(id),
      {
        fix: isBuiltinProviderId(id)
          ? `Change its base URL with \`keytray provider set ${id} --base-url <url>\`.`
          : 'Define it with `keytray provider add`.',
      },
    );
  }
  const def: CustomProvider = {
    ...before,
    ...(values.api !== undefined ? { api: values.api as ProviderApi } : {}),
    ...(values.label !== undefined ? { label: values.label } : {}),
    ...(values['base-url'] !== undefined ? { baseUrl: values['base-url'] } : {}),
    ...(values.auth !== undefined ? { auth: values.auth as AuthScheme } : {}),
    ...(values['key-url'] !== undefined ? { keyUrl: values['key-url'] } : {}),
  };
  const view = await vault.defineProvider(id, def, { replace: true, allowHttp: values['allow-http'] ?? false });
  return report(view, await reconfigureProvider(cliServices(vault).agents, vault, id), values.json);
}

async function remove(vault: Vault, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, JSON_OPTION, 'keytray provider remove <id> [--json]', { min: 1, max: 1 });
  const id = positionals[0] as string;
  await vault.removeProvider(id);
  if (values.json) printJson({ removed: id });
  else printLines([`Removed the provider ${id}.`]);
  return 0;
}

function modelWords(models: ModelNames): string {
  return Object.entries(models)
    .map(([name, value]) => `${name} ${value}`)
    .join(', ');
}

function report(
  view: { id: string; settings: ProviderSettings; baseUrl: string | null; fallback: boolean; keys: unknown[] },
  files: RewrittenFile[],
  json: boolean | undefined,
): number {
  if (json) printJson({ provider: view, files });
  else {
    const lines = [`${view.id}: upstream ${view.baseUrl ?? '(needs a region)'}`];
    if (view.fallback)
      lines.push(
        `  fallback: on (the proxy retries a 429 or 5xx once with the next key${view.keys.length < 2 ? '; add a second key for it to use' : ''})`,
      );
    if (view.settings.region) lines.push(`  region: ${view.settings.region}`);
    if (view.settings.workspaceId) lines.push(`  workspace: ${view.settings.workspaceId}`);
    if (view.settings.models) lines.push(`  models: ${modelWords(view.settings.models)}`);
    lines.push(...rewrittenLines(files, 'sends to the old settings'));
    printLines(lines);
  }
  return rewrittenStatus(files);
}
