/**
 * Per-provider settings: what each may hold, how a value is checked, and the
 * upstream base URL they add up to. Pure.
 */
import type { ProviderSettings } from './metadata';
import { PROVIDERS, type ProviderId } from './providers';

export type SettingName = keyof ProviderSettings;

export const SETTING_NAMES: readonly SettingName[] = ['baseUrl', 'region', 'workspaceId'];

/** A sentence saying why the value cannot be used, or null. */
export function settingProblem(provider: ProviderId, name: SettingName, value: string): string | null {
  const info = PROVIDERS[provider];
  switch (name) {
    case 'baseUrl':
      return baseUrlProblem(value);
    case 'region':
      if (!info.regional) return `${info.label} has no region setting.`;
      return /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(value)
        ? null
        : `"${value}" is not an AWS region name (for example "us-east-1").`;
    case 'workspaceId':
      if (!info.usesWorkspace) return `${info.label} has no workspace setting.`;
      return /^[A-Za-z0-9_-]{1,128}$/.test(value)
        ? null
        : 'A workspace ID is letters, digits, "_" and "-" (at most 128), as shown in the workspace settings.';
  }
}

function baseUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"${value}" is not a URL (for example "https://api.anthropic.com").`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'The base URL must start with https:// or http://.';
  if (url.username || url.password) {
    return 'The base URL must not carry a user name or password: keys belong in the keychain.';
  }
  if (url.search || url.hash) return 'The base URL must not have a query or a fragment.';
  return null;
}

/**
 * The upstream base URL in force: the setting, or the catalog default with
 * the region filled in. Null when a regional default has no region yet.
 */
export function effectiveBaseUrl(provider: ProviderId, settings: ProviderSettings): string | null {
  if (settings.baseUrl) return settings.baseUrl.replace(/\/+$/, '');
  const template = PROVIDERS[provider].defaultBaseUrl;
  if (!template.includes('{region}')) return template;
  return settings.region ? template.replace('{region}', settings.region) : null;
}
