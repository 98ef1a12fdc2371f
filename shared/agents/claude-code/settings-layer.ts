/**
 * One Claude Code settings file's text, read as the auth picture needs it:
 * its string env values and its apiKeyHelper. Pure.
 */

import { parseSettingsText } from '../../formats/json-edit';
import type { SettingsLayer } from './auth-picture';
import type { SettingsScope } from './scopes';

export function settingsLayer(scope: SettingsScope, path: string, text: string): SettingsLayer {
  const parsed = parseSettingsText(text);
  if (!parsed.ok) return { scope, path, env: {}, problem: `${parsed.problem} at line ${parsed.line}, column ${parsed.column}` };
  const env: Record<string, string> = {};
  const block = parsed.value.env;
  if (block && typeof block === 'object' && !Array.isArray(block)) {
    for (const [name, value] of Object.entries(block)) if (typeof value === 'string') env[name] = value;
  }
  const helper = parsed.value.apiKeyHelper;
  return { scope, path, env, ...(typeof helper === 'string' ? { apiKeyHelper: helper } : {}) };
}
