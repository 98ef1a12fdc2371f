/**
 * The OpenCode plugin KeyTray owns, as text, and how to read back what one
 * says. Pure. OpenCode has no key command; its `chat.headers` hook (measured
 * on 1.18.33) gets every model request's provider and model and the headers
 * it returns replace the SDK's own (`Authorization`, `x-api-key`). The
 * plugin runs KeyTray's helper (no key in its argv, none in the file), keeps
 * what it prints in memory for a few minutes, and forgets it after a 401
 * (OpenCode's `session.error` event carries the status). It sends a key
 * only to the base URL KeyTray wrote for that provider, so a project's
 * opencode.json that moves the provider elsewhere gets nothing.
 */
import type { ProviderId } from '../../providers';

/** The plugin's file name in OpenCode's plugins folder. */
export const PLUGIN_FILE_NAME = 'keytray.js';

/** The first line, by which KeyTray knows the file is its own. */
export const PLUGIN_MARK = '// KeyTray: OpenCode plugin.';

/** How long the plugin keeps a key (or proxy token) before running the helper again. */
export const PLUGIN_TTL_MS = 5 * 60 * 1000;

/** What the plugin does for one OpenCode provider: the helper's arguments, and where the key may go. */
export interface PluginBinding {
  /** OpenCode's provider id (KeyTray's id for the three it binds). */
  provider: ProviderId;
  baseURL: string;
  args: string[];
}

export interface PluginSpec {
  /** KeyTray's helper script, absolute. */
  helper: string;
  bindings: PluginBinding[];
}

/**
 * The plugin's source: plain ESM JavaScript with Node built-ins only (nothing for OpenCode to install).
 * Its one export is the plugin: OpenCode calls every export of a plugin file.
 */
export function pluginText(spec: PluginSpec): string {
  const table = Object.fromEntries(spec.bindings.map((b) => [b.provider, { baseURL: b.baseURL, args: b.args }]));
  return `${PLUGIN_MARK} Written by \`keytray configure opencode\`; \`keytray configure opencode --remove\` takes it away.
// It holds no key: it asks KeyTray's helper for one and keeps it in memory only.
import { execFile } from 'node:child_process';

const KEYTRAY_SPEC = ${JSON.stringify({ helper: spec.helper, bindings: table })};
const TTL_MS = ${PLUGIN_TTL_MS};
const held = new Map();

// On Windows the helper is a .cmd, which only cmd runs; its arguments are provider ids and labels, nothing to quote.
const windows = process.platform === 'win32';

function ask(args) {
  return new Promise((resolve, reject) => {
    const file = windows ? \`"\${KEYTRAY_SPEC.helper}"\` : KEYTRAY_SPEC.helper;
    execFile(file, args, { timeout: 15000, maxBuffer: 65536, windowsHide: true, shell: windows }, (error, stdout) => {
      const value = String(stdout).trim();
      if (error || value === '') reject(new Error("KeyTray's helper gave OpenCode no key; run \`keytray status --agent opencode\` to see why."));
      else resolve(value);
    });
  });
}

function sameBase(a, b) {
  return typeof a === 'string' && a.replace(/\\/+$/, '') === b.replace(/\\/+$/, '');
}

export const KeyTray = async () => ({
  'chat.headers': async (input, output) => {
    const id = input.model?.providerID;
    const binding = Object.hasOwn(KEYTRAY_SPEC.bindings, id) ? KEYTRAY_SPEC.bindings[id] : undefined;
    if (!binding || !sameBase(input.provider?.options?.baseURL, binding.baseURL)) return;
    let entry = held.get(id);
    if (!entry || Date.now() - entry.at > TTL_MS) {
      entry = { value: ask(binding.args), at: Date.now() };
      held.set(id, entry);
      const asked = entry;
      asked.value.catch(() => held.get(id) === asked && held.delete(id));
    }
    const value = await entry.value;
    if (input.model.api?.npm === '@ai-sdk/anthropic') output.headers['x-api-key'] = value;
    else output.headers.authorization = \`Bearer \${value}\`;
  },
  event: async ({ event }) => {
    if (event?.type === 'session.error' && event.properties?.error?.data?.statusCode === 401) held.clear();
  },
});
`;
}

/** What a plugin file of KeyTray's says (its helper and bindings); null when it is not KeyTray's. */
export function readPluginSpec(text: string): PluginSpec | null {
  if (!text.startsWith(PLUGIN_MARK)) return null;
  const line = /^const KEYTRAY_SPEC = (.*);$/m.exec(text)?.[1];
  if (!line) return null;
  try {
    const value = JSON.parse(line) as { helper?: unknown; bindings?: Record<string, { baseURL?: unknown; args?: unknown }> };
    if (typeof value.helper !== 'string' || typeof value.bindings !== 'object' || value.bindings === null) return null;
    const bindings: PluginBinding[] = [];
    for (const [provider, b] of Object.entries(value.bindings)) {
      if (typeof b.baseURL !== 'string' || !Array.isArray(b.args)) continue;
      bindings.push({ provider: provider as ProviderId, baseURL: b.baseURL, args: b.args.filter((a) => typeof a === 'string') });
    }
    return { helper: value.helper, bindings };
  } catch {
    return null;
  }
}
