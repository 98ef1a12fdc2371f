/**
 * `keytray provider …`: the catalog and the per-provider settings (upstream
 * base URL, AWS region, workspace ID).
 */
import { KeyTrayError } from '../../shared/errors';
import type { ProviderSettings } from '../../shared/metadata';
import { effectiveBaseUrl, normalizeBaseUrl, type SettingName } from '../../shared/provider-settings';
import { PROVIDER_IDS, PROVIDERS } from '../../shared/providers';
import type { Vault } from '../core/vault/vault';
import { JSON_OPTION, parse } from './args';
import { printJson, printLines, warn } from './output';

export const PROVIDER_USAGE = `keytray provider list [--json]
       keytray provider set <provider> [--base-url <url> [--allow-http]] [--region <region>] [--workspace <id>] [--fallback on|off] [--json]
       keytray provider unset <provider> <base-url|region|workspace>... [--json]`;

/** CLI flag name → setting name. */
const FLAGS: Record<string, SettingName> = { 'base-url': 'baseUrl', region: 'region', workspace: 'workspaceId' };

export async function providerCommand(vault: Vault, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'list':
    case 'ls':
      return list(vault, rest);
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
  const providers = PROVIDER_IDS.map((id) => {
    const info = PROVIDERS[id];
    const settings = meta.providers[id]?.settings ?? {};
    return {
      id,
      label: info.label,
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
    lines.push(`${p.id} (${p.label}): ${p.keys} key${p.keys === 1 ? '' : 's'}, sent as ${p.header}`);
    lines.push(`  upstream: ${p.baseUrl ?? `${p.defaultBaseUrl} (set a region)`}${p.settings.baseUrl ? ' (custom)' : ''}`);
    if (p.settings.region) lines.push(`  region:   ${p.settings.region}`);
    if (p.settings.workspaceId) lines.push(`  workspace: ${p.settings.workspaceId}`);
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
      fallback: { type: 'string' },
      ...JSON_OPTION,
    },
    'keytray provider set <provider> [--base-url <url> [--allow-http]] [--region <region>] [--workspace <id>] [--fallback on|off] [--json]',
    { min: 1, max: 1 },
  );
  const patch: Partial<Record<SettingName, string>> = {};
  for (const [flag, name] of Object.entries(FLAGS)) {
    const value = values[flag as keyof typeof values];
    if (typeof value === 'string') patch[name] = value;
  }
  if (values.fallback !== undefined && values.fallback !== 'on' && values.fallback !== 'off')
    throw new KeyTrayError('usage', `--fallback takes on or off, not "${values.fallback.slice(0, 20)}".`);
  if (Object.keys(patch).length === 0 && values.fallback === undefined) {
    throw new KeyTrayError('usage', 'Nothing to set.', {
      fix: 'Give at least one of --base-url, --region, --workspace, --fallback.',
    });
  }
  const note = patch.baseUrl ? normalizeBaseUrl(patch.baseUrl).note : undefined;
  if (note) warn(note);
  const provider = positionals[0] as string;
  let view = await vault.configureProvider(provider, patch, { allowHttp: values['allow-http'] ?? false });
  if (values.fallback !== undefined) view = await vault.setFallback(provider, values.fallback === 'on');
  return report(view, values.json);
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
  for (const name of names) {
    const setting = FLAGS[name];
    if (!setting) throw new KeyTrayError('usage', `Unknown setting "${name}": use base-url, region or workspace.`);
    patch[setting] = null;
  }
  return report(await vault.configureProvider(provider, patch), values.json);
}

function report(
  view: { id: string; settings: ProviderSettings; baseUrl: string | null; fallback: boolean; keys: unknown[] },
  json: boolean | undefined,
): number {
  if (json) printJson({ provider: view });
  else {
    const lines = [`${view.id}: upstream ${view.baseUrl ?? '(needs a region)'}`];
    if (view.fallback)
      lines.push(
        `  fallback: on (the proxy retries a 429 or 5xx once with the next key${view.keys.length < 2 ? '; add a second key for it to use' : ''})`,
      );
    if (view.settings.region) lines.push(`  region: ${view.settings.region}`);
    if (view.settings.workspaceId) lines.push(`  workspace: ${view.settings.workspaceId}`);
    printLines(lines);
  }
  return 0;
}
