/**
 * claude-code-router's auth picture: which credential its server sends
 * upstream for the provider `Router.default` names, from where, to where,
 * and what of ccr's own leaves keys or tokens on disk. Pure. Measured with
 * the real ccr (2.0.0) and held to it by the conformance suite:
 *
 * - `~/.claude-code-router/config.json` is read as JSON5. Every string in it
 *   has `$VAR` and `${VAR}` replaced from the environment of the process
 *   reading it (the server, and `ccr code`); an unset variable stays as the
 *   literal text. There is no command or file form.
 * - A provider's `api_key` goes upstream as `Authorization: Bearer`, unless
 *   a transformer of the provider sets that header (KeyTray's does).
 * - `APIKEY` is the token ccr's clients must send; `ccr code` hands it to
 *   Claude Code as ANTHROPIC_AUTH_TOKEN through a settings file it leaves in
 *   `$TMPDIR/claude-code-router/ccr-settings-<sha256>.json` (0644).
 * - ccr 3.x (documented, not installable here) keeps its configuration in
 *   `config.sqlite` beside config.json and reads config.json only once, to
 *   migrate it.
 * - With `LOG` unset or true, and `LOG_LEVEL` unset (`debug`) or `trace`,
 *   each request's outgoing headers, the real key included, go into
 *   `~/.claude-code-router/logs/ccr-*.log` (0644). `"LOG": false` or
 *   `"LOG_LEVEL": "info"` stops it.
 */
import { maskSecret } from '../../mask';
import type { AgentPicture, AuthWarning, HelperInfo, PictureHeader, PictureTier } from '../picture';
import { proxyWarning } from '../proxy-warning';

/** The name of KeyTray's provider and transformer in config.json. */
export const CCR_PROVIDER_NAME = 'keytray';
/** What KeyTray's provider holds as `api_key`: ccr needs one to register a provider; KeyTray's transformer replaces it on the wire. */
export const CCR_KEY_PLACEHOLDER = 'keytray-transformer-sets-the-key';
/** How KeyTray's random local APIKEY starts: a token for ccr's own clients, never an upstream credential. */
export const CCR_LOCAL_TOKEN_PREFIX = 'ktccr_';

/** A `$VAR` or `${VAR}` reference, as ccr expands it. */
const REFERENCE = /\$\{([^}]+)\}|\$([A-Z_][A-Z0-9_]*)/g;

export interface CcrProvider {
  name: string;
  baseUrl?: string;
  apiKey?: string;
  /** Names in `transformer.use`. */
  uses: string[];
}

export interface CcrInputs {
  cwd: string;
  configPath: string;
  configProblem?: string;
  providers: CcrProvider[];
  routerDefault?: string;
  /** `APIKEY` as written. */
  localToken?: string;
  /** `LOG` and `LOG_LEVEL` as written. */
  log?: unknown;
  logLevel?: unknown;
  /** Whether `transformers` loads KeyTray's transformer file. */
  keytrayTransformer: boolean;
  /** Top-level settings whose names say they hold a credential (ccr copies them into its environment). */
  topLevelSecrets: { name: string; value: string }[];
  /** Whether config.json can be read by other users. */
  configReadableByOthers: boolean;
  env: Record<string, string>;
  envOrigin: string;
  /** KeyTray's helper behind its transformer, when the selected provider uses it. */
  helper?: HelperInfo;
  logsDir: string;
  /** ccr's log files that hold an authorization header's credential. */
  logsWithCredential: string[];
  /** `ccr code`'s settings files in the temp folder that hold an ANTHROPIC_AUTH_TOKEN. */
  tmpSettingsFiles: string[];
  /** ccr 3.x's configuration database, when present: config.json is then ignored. */
  sqliteConfig?: string;
}

/** A value as ccr's server will see it: references replaced from the environment, unset ones left as written. */
export function expandReferences(
  value: string,
  env: Record<string, string>,
): { value: string; names: string[]; unset: string[] } {
  const names: string[] = [];
  const unset: string[] = [];
  const expanded = value.replace(REFERENCE, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare) as string;
    names.push(name);
    const found = env[name];
    if (!found) {
      unset.push(name);
      return whole;
    }
    return found;
  });
  return { value: expanded, names, unset };
}

/** Whether ccr's debug log will write outgoing headers (the key among them). */
export function logsHeaders(log: unknown, logLevel: unknown): boolean {
  if (log === false) return false;
  const level = typeof logLevel === 'string' && logLevel !== '' ? logLevel : 'debug';
  return level === 'debug' || level === 'trace';
}

export function computeCcrPicture(inputs: CcrInputs): AgentPicture {
  const tiers: PictureTier[] = [];
  const warnings: AuthWarning[] = [];
  let sent: PictureHeader | null = null;

  if (inputs.sqliteConfig) {
    warnings.push({
      code: 'ccr-sqlite-config',
      message: `${inputs.sqliteConfig} exists: claude-code-router 3.x keeps its configuration there and ignores config.json once it has migrated it, so what config.json says (KeyTray's entries included) may not be what ccr does.`,
      fix: "KeyTray configures ccr 2.x (config.json). With 3.x, give ccr the key in its own settings (`ccr ui`), or send it through KeyTray's proxy (its OpenAI route) with the proxy token as the key.",
    });
  }
  if (inputs.configProblem) {
    warnings.push({
      code: 'settings-unreadable',
      message: `claude-code-router cannot read ${inputs.configPath}: ${inputs.configProblem}.`,
      fix: 'Fix the file; ccr stops with an error until then.',
    });
  }

  const selectedName = (inputs.routerDefault ?? '').split(',')[0] ?? '';
  const selected = inputs.providers.find((p) => p.name === selectedName);
  if (!inputs.configProblem && !selected) {
    warnings.push({
      code: 'provider-misconfigured',
      message: inputs.routerDefault
        ? `claude-code-router's Router.default names provider "${selectedName}", and no entry of Providers has that name.`
        : `claude-code-router has no Router.default: it does not know where to send requests.`,
      fix: 'Run `keytray configure claude-code-router`.',
    });
  }

  if (selected) {
    const where = `${inputs.configPath} Providers "${selected.name}"`;
    const transformer = selected.uses.includes(CCR_PROVIDER_NAME) && inputs.keytrayTransformer;
    if (transformer) {
      const helper = inputs.helper;
      const keytray = helper?.keytray;
      const detail = keytray
        ? helper?.proxy
          ? `keytray proxy token; the proxy sends ${keytray.provider}/${keytray.label}`
          : `keytray: ${keytray.provider}/${keytray.label}`
        : 'KeyTray transformer';
      if (helper?.problem) {
        tiers.push({ source: 'keytray transformer', state: 'ignored', origin: 'config:ccr', detail, reason: helper.problem });
        warnings.push({
          code: 'helper-will-fail',
          message: `KeyTray's transformer for claude-code-router will fail: ${helper.problem}. ccr's requests then fail.`,
          fix: helper.fix ?? 'Add the key (`keytray keys add`) or configure claude-code-router again.',
        });
      } else {
        sent = { source: 'keytray transformer', origin: 'config:ccr', masked: helper?.masked ?? null, detail };
        tiers.push({ source: 'keytray transformer', state: 'wins', origin: 'config:ccr', masked: sent.masked, detail });
      }
      const proxyProblem = helper?.proxy && proxyWarning('claude-code-router', helper.proxy, 'helper');
      if (proxyProblem) warnings.push(proxyProblem);
    } else {
      tiers.push({ source: 'keytray transformer', state: 'absent' });
    }
    const apiKey = selected.apiKey;
    if (apiKey && apiKey !== CCR_KEY_PLACEHOLDER) {
      const expanded = expandReferences(apiKey, inputs.env);
      const source = expanded.names.length ? `api_key ${apiKey}` : 'api_key';
      const origin = expanded.names.length ? inputs.envOrigin : 'config:ccr';
      const masked = expanded.unset.length ? null : maskSecret(expanded.value);
      const state = sent ? 'shadowed' : 'wins';
      tiers.push({
        source,
        state,
        origin,
        masked,
        detail: where,
        ...(sent ? { reason: "KeyTray's transformer sets the header in its place" } : {}),
      });
      if (!sent) sent = { source, origin, masked, detail: where };
    } else if (!transformer) {
      tiers.push({ source: 'api_key', state: 'absent', detail: where });
    }
  }

  for (const provider of inputs.providers) {
    const apiKey = provider.apiKey;
    if (!apiKey || apiKey === CCR_KEY_PLACEHOLDER) continue;
    const expanded = expandReferences(apiKey, inputs.env);
    if (expanded.names.length === 0) {
      warnings.push({
        code: 'plaintext-key-in-settings',
        message: `${inputs.configPath} holds a key in plaintext (api_key of provider "${provider.name}", ${maskSecret(apiKey)}).`,
        fix: 'Store the key with `keytray keys add`, then run `keytray configure claude-code-router`: its transformer reads the key from the keychain. Then delete the api_key.',
      });
    } else {
      const resolved = expanded.names
        .map(
          (name) =>
            `${name} ${inputs.env[name] ? `= ${maskSecret(inputs.env[name] as string)}` : 'is unset (ccr would send the text as written)'}`,
        )
        .join(', ');
      warnings.push({
        code: 'env-reference-key',
        message: `Provider "${provider.name}" takes its key from the environment of ccr's server: ${resolved} here (${inputs.envOrigin}).`,
        fix: 'A key in the environment is a key in a shell profile. Store it with `keytray keys add` and run `keytray configure claude-code-router`.',
      });
    }
  }
  for (const secret of inputs.topLevelSecrets) {
    const expanded = expandReferences(secret.value, inputs.env);
    if (expanded.names.length > 0) continue;
    warnings.push({
      code: 'plaintext-key-in-settings',
      message: `${inputs.configPath} holds ${secret.name} in plaintext (${maskSecret(secret.value)}); ccr copies it into its server's environment.`,
      fix: 'Delete it from config.json, and keep the key in the keychain (`keytray keys add`).',
    });
  }

  if (!inputs.localToken) {
    warnings.push({
      code: 'ccr-no-apikey',
      message:
        "claude-code-router has no APIKEY: any program on this machine can send requests through ccr's server, and so spend the key.",
      fix: 'Run `keytray configure claude-code-router`: it sets a random local token, which is not an upstream credential.',
    });
  } else if (inputs.configReadableByOthers) {
    warnings.push({
      code: 'ccr-config-readable',
      message: `${inputs.configPath} can be read by other users, and its APIKEY lets them use ccr's server (and so the key).`,
      fix: `chmod 600 ${inputs.configPath}`,
    });
  }
  if (logsHeaders(inputs.log, inputs.logLevel)) {
    warnings.push({
      code: 'ccr-debug-log',
      message: `claude-code-router's debug log writes each request's headers, the upstream key among them, to ${inputs.logsDir} (readable by all).`,
      fix: 'Run `keytray configure claude-code-router`: it sets "LOG_LEVEL": "info" (or set "LOG": false yourself), then restart ccr (`ccr restart`).',
    });
  }
  if (inputs.logsWithCredential.length > 0) {
    const count = inputs.logsWithCredential.length;
    warnings.push({
      code: 'ccr-logs-hold-key',
      message: `${count} of claude-code-router's log files in ${inputs.logsDir} hold a credential from an authorization header.`,
      fix: 'Delete them with `keytray configure claude-code-router --delete-logs` (it asks first, and never prints the key).',
    });
  }
  if (inputs.tmpSettingsFiles.length > 0) {
    warnings.push({
      code: 'ccr-tmp-settings',
      message: `\`ccr code\` left ${inputs.tmpSettingsFiles.length} settings file(s) readable by all in ${inputs.tmpSettingsFiles[0]?.replace(/\/[^/]+$/, '')}, holding ccr's APIKEY as ANTHROPIC_AUTH_TOKEN.`,
      fix: 'Delete them, and run ccr with TMPDIR set to a folder of your own (e.g. `export TMPDIR=$XDG_RUNTIME_DIR`): ccr writes them there instead.',
    });
  }
  if (!sent && warnings.every((w) => w.code !== 'helper-will-fail' && w.code !== 'provider-misconfigured')) {
    warnings.push({
      code: 'no-credential',
      message: `claude-code-router will send no credential to ${selected?.baseUrl ?? selectedName}.`,
      fix: 'Run `keytray configure claude-code-router` to give it a key from the keychain.',
    });
  }

  return {
    tool: 'claude-code-router',
    cwd: inputs.cwd,
    provider: selectedName || 'none',
    ...(selected?.baseUrl ? { destination: selected.baseUrl } : {}),
    headers: { authorization: sent },
    winner: sent?.source ?? 'none',
    tiers,
    warnings,
  };
}
