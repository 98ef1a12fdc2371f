/**
 * Per-provider settings: what each may hold, how a value is checked, and the
 * upstream base URL they add up to. Pure.
 */
import type { ProviderSettings } from './metadata';
import { type ProviderId, providerInfo } from './providers';

/** The settings that hold one string (model names are set apart: see modelNameProblem). */
export type SettingName = Exclude<keyof ProviderSettings, 'models'>;

export const SETTING_NAMES: readonly SettingName[] = ['baseUrl', 'region', 'workspaceId'];

/** A sentence saying why the value cannot be used, or null. `allowHttp`: plain http to another host is the user's choice. */
export function settingProblem(
  provider: ProviderId,
  name: SettingName,
  value: string,
  options: { allowHttp?: boolean } = {},
): string | null {
  const info = providerInfo(provider);
  switch (name) {
    case 'baseUrl':
      return baseUrlProblem(value, options.allowHttp ?? false);
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

function baseUrlProblem(value: string, allowHttp: boolean): string | null {
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
  if (url.protocol === 'http:' && !allowHttp && !LOOPBACK.has(url.hostname)) {
    return `Plain http to ${url.hostname} would carry your key unencrypted: use https, or pass --allow-http if that host is on a network you trust.`;
  }
  return null;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The base URL as KeyTray keeps it: without a trailing slash, and without a
 * trailing `/v1` (KeyTray and the agents add the API's own path), with a
 * sentence saying what was dropped.
 */
export function normalizeBaseUrl(value: string): { value: string; note?: string } {
  const trimmed = value.replace(/\/+$/, '');
  if (/\/v1$/.test(trimmed)) {
    return {
      value: trimmed.slice(0, -3),
      note: 'KeyTray keeps base URLs without the trailing /v1: the API paths it sends start with it.',
    };
  }
  return { value: trimmed };
}

/**
 * The upstream base URL in force: the setting, or the catalog default with
 * the region filled in. Null when a regional default has no region yet.
 */
/** A sentence saying why a model name cannot be written into an agent's settings, or null. */
export function modelNameProblem(value: string): string | null {
  return /^[A-Za-z0-9][A-Za-z0-9._:/@[\]-]{0,127}$/.test(value)
    ? null
    : `"${value}" is not a model name: letters, digits and . _ : / @ - [ ] (at most 128), as the provider's documentation spells it.`;
}

export function effectiveBaseUrl(provider: ProviderId, settings: ProviderSettings): string | null {
  if (settings.baseUrl) return settings.baseUrl.replace(/\/+$/, '');
  const template = providerInfo(provider).defaultBaseUrl;
  if (!template.includes('{region}')) return template;
  return settings.region ? template.replace('{region}', settings.region) : null;
}
