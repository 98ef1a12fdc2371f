/**
 * OpenCode's auth picture: which credential `opencode run` will send for the
 * selected model's provider, in which header, from where, to where. Pure.
 * Measured with the real OpenCode (1.18.33) and held to it by the
 * conformance suite:
 *
 * - `model` ("provider/model") chooses the provider; the config files are
 *   merged (the user's, `OPENCODE_CONFIG`, the project's, then
 *   `OPENCODE_CONFIG_CONTENT`), the later winning key by key.
 * - For a provider, `options.apiKey` (after `{env:VAR}` and `{file:path}`
 *   substitution) wins over its entry in auth.json, which wins over its
 *   variable (`ANTHROPIC_API_KEY`, `OPENAI_API_KEY`, `OPENROUTER_API_KEY`).
 * - A plugin's `chat.headers` hook runs on every request and its headers
 *   replace the SDK's: KeyTray's plugin's key travels whatever the above say.
 * - The built-in `anthropic` sends `x-api-key`; `openai` and `openrouter`
 *   send `Authorization: Bearer`.
 */
import { maskSecret } from '../../mask';
import type { ProviderId } from '../../providers';
import type { AgentPicture, AuthWarning, HelperInfo, PictureHeader, PictureTier } from '../picture';
import { proxyWarning } from '../proxy-warning';
import type { PluginSpec } from './plugin';

/** The apiKey KeyTray writes beside its plugin: not a secret, only what makes OpenCode build the provider. */
export const KEYTRAY_API_KEY = 'keytray-plugin';

/** OpenCode's built-in providers KeyTray binds, with what they send by default. */
export const OPENCODE_PROVIDERS: Readonly<
  Partial<Record<ProviderId, { baseURL: string; header: 'authorization' | 'x-api-key'; envVar: string }>>
> = {
  anthropic: { baseURL: 'https://api.anthropic.com/v1', header: 'x-api-key', envVar: 'ANTHROPIC_API_KEY' },
  openai: { baseURL: 'https://api.openai.com/v1', header: 'authorization', envVar: 'OPENAI_API_KEY' },
  openrouter: { baseURL: 'https://openrouter.ai/api/v1', header: 'authorization', envVar: 'OPENROUTER_API_KEY' },
};

/** An `options.apiKey` as written, and what it resolves to (masked). */
export interface OpenCodeApiKey {
  /** Where the setting is: the config file. */
  origin: string;
  kind: 'keytray' | 'literal' | 'env' | 'file';
  /** The variable or file a reference names. */
  ref?: string;
  /** The resolved value, masked; null when the reference finds nothing. */
  masked: string | null;
}

export interface OpenCodeProvider {
  baseURL?: { value: string; origin: string };
  apiKey?: OpenCodeApiKey;
}

/** A file of OpenCode's own that holds, or seems to hold, a key. */
export interface OpenCodeLeak {
  path: string;
  /** KeyTray keys found in it, as provider/label (by fingerprint). */
  keytray: string[];
  /** Other key-shaped strings in it. */
  lookalikes: number;
}

export interface OpenCodeInputs {
  cwd: string;
  /** The user's opencode.json, where KeyTray writes. */
  configPath: string;
  /** Config files that cannot be read, with line and column. */
  configProblems: string[];
  model: { value: string; origin: string } | null;
  providers: Record<string, OpenCodeProvider>;
  /** auth.json: each provider's stored credential, masked. */
  authJson: { path: string; entries: Record<string, { type: string; masked: string | null }> } | null;
  env: Record<string, string>;
  envOrigin: string;
  /** KeyTray's plugin file, when present, and what it says. */
  plugin: { path: string; spec: PluginSpec } | null;
  /** What KeyTray's helper will print for the selected provider, when the plugin binds it. */
  helper?: HelperInfo;
  leaks: OpenCodeLeak[];
}

export function computeOpenCodePicture(inputs: OpenCodeInputs): AgentPicture {
  const tiers: PictureTier[] = [];
  const warnings: AuthWarning[] = [];
  for (const problem of inputs.configProblems) {
    warnings.push({
      code: 'settings-unreadable',
      message: problem,
      fix: 'Fix the file; OpenCode stops with an error until then.',
    });
  }
  const slash = inputs.model?.value.indexOf('/') ?? -1;
  const selected = inputs.model && slash > 0 ? inputs.model.value.slice(0, slash) : null;
  if (!selected) {
    warnings.push({
      code: 'no-model',
      message: 'OpenCode has no model set ("model": "provider/model" in opencode.json), so it picks one itself.',
      fix: 'Set "model" in opencode.json to a model of the provider KeyTray configured.',
    });
  }
  const known = selected ? OPENCODE_PROVIDERS[selected as ProviderId] : undefined;
  const config = (selected && inputs.providers[selected]) || {};
  const destination = config.baseURL?.value ?? known?.baseURL;
  const header = known?.header ?? 'authorization';
  let sent: PictureHeader | null = null;

  const binding = selected ? inputs.plugin?.spec.bindings.find((b) => b.provider === selected) : undefined;
  if (binding) {
    const helper = inputs.helper;
    const keytray = helper?.keytray;
    const detail = keytray
      ? helper?.proxy
        ? `keytray proxy token; the proxy sends ${keytray.provider}/${keytray.label}`
        : `keytray: ${keytray.provider}/${keytray.label}`
      : `runs: ${[inputs.plugin?.spec.helper, ...binding.args].join(' ')}`;
    const origin = 'plugin:keytray';
    if (!sameBase(destination, binding.baseURL)) {
      const reason = `OpenCode sends ${selected} to ${destination ?? '(its default)'}, not to ${binding.baseURL} where KeyTray configured it`;
      tiers.push({ source: 'KeyTray plugin', state: 'ignored', origin, detail, reason });
      warnings.push({
        code: 'keytray-plugin-bypassed',
        message: `KeyTray's plugin gives OpenCode no key here: ${reason}.`,
        fix: 'Remove the other baseURL (a project opencode.json, OPENCODE_CONFIG), or run `keytray configure opencode` again.',
      });
    } else if (helper?.problem) {
      tiers.push({ source: 'KeyTray plugin', state: 'ignored', origin, detail, reason: helper.problem });
      warnings.push({
        code: 'helper-will-fail',
        message: `KeyTray's plugin for OpenCode will fail: ${helper.problem}. OpenCode's requests then stop with its error.`,
        fix: helper.fix ?? 'Add the key (`keytray keys add`) or configure OpenCode again.',
      });
    } else {
      sent = { source: 'KeyTray plugin', origin, masked: helper?.masked ?? null, detail };
      tiers.push({ source: 'KeyTray plugin', state: 'wins', origin, masked: sent.masked, detail });
      const proxyProblem = helper?.proxy && proxyWarning('OpenCode', helper.proxy, 'helper');
      if (proxyProblem) warnings.push(proxyProblem);
    }
  } else if (selected) {
    tiers.push({ source: 'KeyTray plugin', state: 'absent' });
  }

  // OpenCode's own sources, in its order: the first present is what the SDK sends (unless the plugin replaces it).
  const own: { tier: PictureTier; header: PictureHeader }[] = [];
  const apiKey = config.apiKey;
  if (apiKey) {
    const source =
      apiKey.kind === 'env'
        ? `options.apiKey {env:${apiKey.ref}}`
        : apiKey.kind === 'file'
          ? `options.apiKey {file:${apiKey.ref}}`
          : 'options.apiKey';
    const detail = apiKey.kind === 'keytray' ? "KeyTray's placeholder (no secret): the plugin sends the key" : apiKey.origin;
    const origin = apiKey.kind === 'env' ? inputs.envOrigin : 'config:opencode';
    if (apiKey.masked !== null || apiKey.kind === 'keytray') {
      const masked = apiKey.kind === 'keytray' ? null : apiKey.masked;
      own.push({ tier: { source, state: 'wins', origin, masked, detail }, header: { source, origin, masked, detail } });
    } else {
      tiers.push({ source, state: 'absent', origin, detail, reason: `${apiKey.ref} holds nothing` });
    }
    if (apiKey.kind === 'literal') {
      warnings.push({
        code: 'plaintext-key-in-settings',
        message: `${apiKey.origin} holds a ${selected} key in plaintext (provider.${selected}.options.apiKey).`,
        fix: `Store it with \`keytray keys add ${selected} <label>\`, then run \`keytray configure opencode --provider ${selected}\`: it replaces it.`,
      });
    }
    if (apiKey.kind === 'file' && apiKey.masked !== null) {
      warnings.push({
        code: 'plaintext-key-in-file',
        message: `${apiKey.ref} holds a ${selected} key in plaintext, and ${apiKey.origin} points OpenCode at it.`,
        fix: `Store it with \`keytray keys add ${selected} <label>\`, delete the file, and run \`keytray configure opencode --provider ${selected}\`.`,
      });
    }
  }
  const stored = selected ? inputs.authJson?.entries[selected] : undefined;
  if (selected && inputs.authJson && stored) {
    const entry = { source: 'auth.json', origin: 'file:opencode-auth', masked: stored.masked, detail: inputs.authJson.path };
    own.push({ tier: { ...entry, state: 'wins' }, header: entry });
  }
  const envVar = known?.envVar;
  const envValue = envVar ? inputs.env[envVar] : undefined;
  if (envVar && envValue) {
    const entry = { source: envVar, origin: inputs.envOrigin, masked: maskSecret(envValue) };
    own.push({ tier: { ...entry, state: 'wins' }, header: entry });
  }
  own.forEach(({ tier, header: value }, index) => {
    if (index === 0 && !sent) {
      sent = value;
      tiers.push(tier);
      return;
    }
    const reason = index === 0 ? "KeyTray's plugin replaces the header" : `${own[0]?.tier.source} takes its place`;
    tiers.push({ ...tier, state: 'shadowed', reason });
  });
  if (apiKey?.kind === 'keytray' && !binding) {
    warnings.push({
      code: 'keytray-plugin-missing',
      message: `OpenCode's ${selected} provider carries KeyTray's placeholder, and KeyTray's plugin${inputs.plugin ? ' does not bind it' : ` is not in ${inputs.configPath.replace(/opencode\.jsonc?$/, 'plugins/')}`}: OpenCode sends the placeholder, and the upstream refuses it.`,
      fix: `Run \`keytray configure opencode --provider ${selected}\` again.`,
    });
  }

  for (const [provider, entry] of Object.entries(inputs.authJson?.entries ?? {})) {
    if (entry.type !== 'api' || entry.masked === null) continue;
    warnings.push({
      code: 'plaintext-key-in-auth-json',
      message: `${inputs.authJson?.path} holds a ${provider} key in plaintext (written by \`opencode auth login\`).`,
      fix: 'Move it into the keychain with `keytray configure opencode --import-key`: KeyTray stores it, reads it back, then takes it out of the file (a backup is kept, sealed).',
    });
  }
  for (const leak of inputs.leaks) {
    if (leak.keytray.length > 0) {
      warnings.push({
        code: 'agent-log-holds-key',
        message: `${leak.path} holds KeyTray's key ${leak.keytray.join(', ')} in plaintext (OpenCode writes a failed request's error text, echoed key included, to its log and database).`,
        fix: 'Delete the file (OpenCode makes a new one), and rotate the key if others can read it.',
      });
    } else if (leak.lookalikes > 0) {
      warnings.push({
        code: 'agent-log-may-hold-key',
        message: `${leak.path} holds ${leak.lookalikes === 1 ? 'a string' : `${leak.lookalikes} strings`} shaped like an API key (OpenCode writes a failed request's error text to its log and database).`,
        fix: 'Look at the file; if it holds a key, delete the file and rotate the key.',
      });
    }
  }
  if (!sent && selected && warnings.every((w) => w.code !== 'helper-will-fail' && w.code !== 'keytray-plugin-missing')) {
    warnings.push({
      code: 'no-credential',
      message: `OpenCode finds no credential for ${selected} here.`,
      fix: `Run \`keytray configure opencode --provider ${selected}\` to give it a key from the keychain.`,
    });
  }

  const finalSent: PictureHeader | null = sent;
  return {
    tool: 'opencode',
    cwd: inputs.cwd,
    provider: selected ?? 'none',
    ...(destination ? { destination } : {}),
    headers: { [header]: finalSent },
    winner: finalSent?.source ?? 'none',
    tiers,
    warnings,
  };
}

function sameBase(a: string | undefined, b: string): boolean {
  return a !== undefined && a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}
