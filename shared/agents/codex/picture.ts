/**
 * Codex CLI's auth picture: which credential `codex exec` will send, from
 * where, to where. Pure. The rules were measured with the real Codex
 * (0.171.0) and the conformance suite holds them to it:
 *
 * - `model_provider` in `$CODEX_HOME/config.toml` selects the provider
 *   (`openai` when absent). A project's `.codex/config.toml` never selects
 *   one.
 * - A provider of `[model_providers]` sends its `auth` command's output as
 *   `Authorization: Bearer`; else the variable its `env_key` names; else
 *   `experimental_bearer_token`; else nothing. `auth.json` and the key
 *   variables are not read for it.
 * - The built-in `openai` provider sends `CODEX_API_KEY`, else the key or
 *   ChatGPT login in `auth.json`. `OPENAI_API_KEY` is not read by `codex exec`.
 * - A failing auth command does not stop Codex: it sends no Authorization.
 */
import { maskSecret } from '../../mask';
import type { AgentPicture, AuthWarning, HelperInfo, PictureHeader, PictureTier } from '../picture';
import { proxyWarning } from '../proxy-warning';

export const BUILT_IN_PROVIDERS = ['openai', 'ollama', 'lmstudio'] as const;
export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/** One `[model_providers.<id>]` table as read. */
export interface CodexProvider {
  name?: string;
  baseUrl?: string;
  envKey?: string;
  bearerToken?: string;
  auth?: { command: string; args: string[] };
  wireApi?: string;
}

export interface CodexInputs {
  cwd: string;
  configPath: string;
  /** Set when config.toml exists but cannot be read. */
  configProblem?: string;
  modelProvider?: string;
  openaiBaseUrl?: string;
  providers: Record<string, CodexProvider>;
  /** `[features] shell_snapshot` (on when absent). */
  shellSnapshot: boolean;
  /** The environment codex starts with: only the credential variables matter here. */
  env: Record<string, string>;
  envOrigin: string;
  /** `auth.json`: a stored API key, or a ChatGPT login. */
  authJson: { path: string; apiKey?: string; chatgpt: boolean } | null;
  /** What KeyTray knows of the selected provider's auth command, when it is KeyTray's helper. */
  helper?: HelperInfo;
}

/** Variables whose value a shell snapshot would write to disk in plaintext. */
export const KEY_VARIABLES = /(_API_KEY|_AUTH_TOKEN|_ACCESS_KEY|_SECRET|BEARER_TOKEN)$/;

export function computeCodexPicture(inputs: CodexInputs): AgentPicture {
  const selected = inputs.modelProvider ?? 'openai';
  const custom = inputs.providers[selected];
  const builtIn = (BUILT_IN_PROVIDERS as readonly string[]).includes(selected) && !custom;
  const tiers: PictureTier[] = [];
  const warnings: AuthWarning[] = [];
  let sent: PictureHeader | null = null;
  let destination: string | undefined;

  const envValue = (name: string) => {
    const value = inputs.env[name];
    return value ? value : undefined;
  };

  if (inputs.configProblem) {
    warnings.push({
      code: 'settings-unreadable',
      message: `Codex cannot read ${inputs.configPath}: ${inputs.configProblem}.`,
      fix: 'Fix the file; codex exec stops with an error until then.',
    });
  }

  if (custom) {
    destination = custom.baseUrl;
    const where = `${inputs.configPath} [model_providers.${selected}]`;
    if (custom.auth && custom.envKey) {
      warnings.push({
        code: 'provider-misconfigured',
        message: `Codex refuses provider "${selected}": its auth command cannot be combined with env_key.`,
        fix: 'Remove env_key from the provider, or configure it again with `keytray configure codex`.',
      });
    }
    if (custom.auth) {
      const helper = inputs.helper;
      const keytray = helper?.keytray;
      const detail = keytray
        ? helper?.proxy
          ? `keytray proxy token; the proxy sends ${keytray.provider}/${keytray.label}`
          : `keytray: ${keytray.provider}/${keytray.label}`
        : `runs: ${[custom.auth.command, ...custom.auth.args].join(' ')}`;
      const value: PictureHeader = { source: 'auth command', origin: 'config:codex', masked: helper?.masked ?? null, detail };
      if (helper?.problem) {
        tiers.push({ source: 'auth command', state: 'ignored', origin: 'config:codex', detail, reason: helper.problem });
        warnings.push({
          code: 'helper-will-fail',
          message: `KeyTray's auth command for Codex will fail: ${helper.problem}. Codex then sends no credential at all.`,
          fix: 'Add the key (`keytray keys add`) or configure Codex again.',
        });
      } else {
        sent = value;
        tiers.push({ source: 'auth command', state: 'wins', origin: 'config:codex', masked: value.masked, detail });
      }
      const proxyProblem = helper?.proxy && proxyWarning('Codex', helper.proxy, 'helper');
      if (proxyProblem) warnings.push(proxyProblem);
    } else {
      tiers.push({ source: 'auth command', state: 'absent' });
    }
    if (custom.envKey) {
      const value = envValue(custom.envKey);
      const state = value === undefined ? 'absent' : sent ? 'shadowed' : 'wins';
      tiers.push({
        source: `env_key ${custom.envKey}`,
        state,
        ...(value ? { origin: inputs.envOrigin, masked: maskSecret(value) } : {}),
        ...(state === 'shadowed' ? { reason: 'the auth command takes its place' } : {}),
      });
      if (value && !sent) sent = { source: `env_key ${custom.envKey}`, origin: inputs.envOrigin, masked: maskSecret(value) };
    }
    if (custom.bearerToken) {
      const state = sent ? 'shadowed' : 'wins';
      tiers.push({
        source: 'experimental_bearer_token',
        state,
        origin: 'config:codex',
        masked: maskSecret(custom.bearerToken),
        detail: where,
      });
      if (!sent)
        sent = {
          source: 'experimental_bearer_token',
          origin: 'config:codex',
          masked: maskSecret(custom.bearerToken),
          detail: where,
        };
      warnings.push({
        code: 'plaintext-key-in-settings',
        message: `${inputs.configPath} holds a key in plaintext (experimental_bearer_token of "${selected}").`,
        fix: 'Store the key with `keytray keys add openai <label>`, then run `keytray configure codex`: it replaces it with a key command.',
      });
    }
    for (const name of ['CODEX_API_KEY', 'OPENAI_API_KEY']) {
      const value = envValue(name);
      if (value)
        tiers.push({
          source: name,
          state: 'ignored',
          origin: inputs.envOrigin,
          masked: maskSecret(value),
          reason: `provider "${selected}" does not read it`,
        });
    }
    if (inputs.authJson?.apiKey || inputs.authJson?.chatgpt) {
      tiers.push({
        source: 'auth.json',
        state: 'ignored',
        origin: 'file:codex-auth',
        detail: inputs.authJson.path,
        reason: `provider "${selected}" does not read it`,
      });
    }
  } else if (builtIn && selected === 'openai') {
    destination = inputs.openaiBaseUrl ?? OPENAI_DEFAULT_BASE_URL;
    const codexKey = envValue('CODEX_API_KEY');
    if (codexKey) {
      sent = { source: 'CODEX_API_KEY', origin: inputs.envOrigin, masked: maskSecret(codexKey) };
      tiers.push({ source: 'CODEX_API_KEY', state: 'wins', origin: inputs.envOrigin, masked: sent.masked });
    } else tiers.push({ source: 'CODEX_API_KEY', state: 'absent' });
    const auth = inputs.authJson;
    if (auth?.apiKey || auth?.chatgpt) {
      const masked = auth.apiKey ? maskSecret(auth.apiKey) : null;
      const source = auth.apiKey ? 'auth.json' : 'ChatGPT login';
      const state = sent ? 'shadowed' : 'wins';
      tiers.push({
        source,
        state,
        origin: 'file:codex-auth',
        masked,
        detail: auth.path,
        ...(sent ? { reason: 'CODEX_API_KEY takes its place' } : {}),
      });
      if (!sent) sent = { source, origin: 'file:codex-auth', masked, detail: auth.path };
    } else tiers.push({ source: 'auth.json', state: 'absent' });
    const openaiKey = envValue('OPENAI_API_KEY');
    if (openaiKey) {
      tiers.push({
        source: 'OPENAI_API_KEY',
        state: 'ignored',
        origin: inputs.envOrigin,
        masked: maskSecret(openaiKey),
        reason: 'codex exec does not read it',
      });
    }
  } else if (!builtIn) {
    warnings.push({
      code: 'provider-misconfigured',
      message: `Codex's model_provider is "${selected}", and no [model_providers.${selected}] declares it; codex exec stops with an error.`,
      fix: 'Configure Codex with `keytray configure codex`.',
    });
  }

  if (inputs.authJson?.apiKey) {
    warnings.push({
      code: 'plaintext-key-in-auth-json',
      message: `${inputs.authJson.path} holds an OpenAI key in plaintext (written by \`codex login --with-api-key\`).`,
      fix: 'Move it into the keychain with `keytray configure codex --import-key`: KeyTray stores it, reads it back, then takes it out of the file (a backup is kept).',
    });
  }
  const exposed = Object.keys(inputs.env).filter((name) => KEY_VARIABLES.test(name) && inputs.env[name]);
  if (inputs.shellSnapshot && exposed.length > 0) {
    warnings.push({
      code: 'shell-snapshot-with-key',
      message: `Codex's shell snapshots write the whole environment to ${inputs.configPath.replace(/config\.toml$/, 'shell_snapshots/')} while it runs, and ${exposed.join(', ')} ${exposed.length === 1 ? 'holds' : 'hold'} a key.`,
      fix: 'Set `shell_snapshot = false` under [features] in config.toml, or keep keys out of the environment (`keytray configure codex` needs none).',
    });
  }
  if (!sent && warnings.every((w) => w.code !== 'helper-will-fail' && w.code !== 'provider-misconfigured')) {
    warnings.push({
      code: 'no-credential',
      message: `codex exec will send no credential to ${destination ?? selected}.`,
      fix: 'Run `keytray configure codex` to give it a key from the keychain.',
    });
  }

  return {
    tool: 'codex',
    cwd: inputs.cwd,
    provider: selected,
    ...(destination ? { destination } : {}),
    headers: { authorization: sent },
    winner: sent?.source ?? 'none',
    tiers,
    warnings,
  };
}
