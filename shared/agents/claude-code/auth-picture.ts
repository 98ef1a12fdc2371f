/**
 * The auth picture: which credential Claude Code will send, in which header,
 * from where, and what it shadows. Pure (inputs in, picture out), so the CLI
 * and the window draw the same picture.
 *
 * The rules were read off the real Claude Code CLI (2.1.x) case by case, and
 * the conformance suite (test/conformance) holds them to it. They describe a
 * non-interactive run (`claude -p`) in `cwd`: every settings scope applies.
 */

import { maskSecret } from '../../mask';
import { proxyRouteOf } from '../../proxy-types';
import type { AuthWarning, HelperInfo, TierState } from '../picture';
import { proxyWarning } from '../proxy-warning';
import { SETTINGS_SCOPES, type SettingsScope } from './scopes';

export type { AuthWarning, HelperInfo, TierState };

/** Claude Code's `apiProvider` words. */
export type ApiProvider =
  | 'firstParty'
  | 'bedrock'
  | 'foundry'
  | 'anthropicAws'
  | 'anthropicGoogleCloud'
  | 'mantle'
  | 'vertex'
  | 'gateway';

/** Claude Code's `apiKeySource` words, plus the cloud credentials. */
export type CredentialSource =
  | 'ANTHROPIC_AUTH_TOKEN'
  | 'ANTHROPIC_API_KEY'
  | 'apiKeyHelper'
  | 'CLAUDE_CODE_OAUTH_TOKEN'
  | 'claude.ai'
  | '/login managed key'
  | 'ANTHROPIC_AWS_API_KEY'
  | 'AWS_BEARER_TOKEN_BEDROCK'
  | 'aws-sigv4'
  | 'none';

export type Origin =
  | 'env:process'
  | 'env:login-shell'
  | `settings:${SettingsScope}`
  | 'oauth:file'
  | 'oauth:keychain'
  | 'config:global'
  | 'aws:chain';

export type HeaderName = 'x-api-key' | 'authorization';

export interface HeaderValue {
  source: CredentialSource;
  origin: Origin;
  /** Masked value; null when KeyTray cannot know it (another tool's helper, SigV4). */
  masked: string | null;
  /** Where exactly: a file and line, a settings path, the helper's key. */
  detail?: string;
}

export interface Tier {
  source: CredentialSource;
  state: TierState;
  origin?: Origin;
  masked?: string | null;
  detail?: string;
  /** Why it is shadowed, ignored or cancelled. */
  reason?: string;
}

export interface AuthPicture {
  tool: 'claude-code';
  cwd: string;
  provider: ApiProvider;
  /** Where requests go: the base URL variable in force, else the provider's default (where it has one). */
  destination?: string;
  /** ANTHROPIC_MODEL in force: the model Claude Code asks for. */
  model?: string;
  /** Every model variable in force (MODEL_VARIABLES), with its value: a provider other than Anthropic names its own. */
  models?: Record<string, string>;
  headers: Record<HeaderName, HeaderValue | null>;
  winner: CredentialSource;
  tiers: Tier[];
  warnings: AuthWarning[];
}

/** One Claude Code settings file as read. */
export interface SettingsLayer {
  scope: SettingsScope;
  path: string;
  /** String values of its `env` block. */
  env: Record<string, string>;
  apiKeyHelper?: string;
  /** Set when the file exists but cannot be read as settings. */
  problem?: string;
}

export interface AuthInputs {
  cwd: string;
  /** The environment Claude Code starts with. */
  env: Record<string, string>;
  envOrigin: 'env:process' | 'env:login-shell';
  settings: SettingsLayer[];
  /** Credential variables assigned in shell startup files. */
  shellExports: { name: string; file: string; line: number }[];
  /** The `/login` OAuth session. */
  login: { origin: 'oauth:file' | 'oauth:keychain'; masked: string; usable: boolean; detail: string } | null;
  /** A Console key saved by `/login` in Claude Code's global config. */
  primaryApiKey: { masked: string; detail: string } | null;
  /** By apiKeyHelper command. */
  helpers: Record<string, HelperInfo>;
  /** Whether the AWS credential chain has credentials (env keys, a profile), for SigV4. */
  awsChain: { detail: string } | null;
}

/** Lowest priority first: each later layer overrides the earlier ones. */
const ENV_LAYER_ORDER: SettingsScope[] = [...SETTINGS_SCOPES].reverse();
/** Highest priority first, for apiKeyHelper. */
const HELPER_ORDER: readonly SettingsScope[] = SETTINGS_SCOPES;

/** The order Claude Code checks its provider switches in. */
const PROVIDER_SWITCHES: [string, ApiProvider][] = [
  ['CLAUDE_CODE_USE_BEDROCK', 'bedrock'],
  ['CLAUDE_CODE_USE_FOUNDRY', 'foundry'],
  ['CLAUDE_CODE_USE_ANTHROPIC_AWS', 'anthropicAws'],
  ['CLAUDE_CODE_USE_ANTHROPIC_GOOGLE_CLOUD', 'anthropicGoogleCloud'],
  ['CLAUDE_CODE_USE_MANTLE', 'mantle'],
  ['CLAUDE_CODE_USE_VERTEX', 'vertex'],
];

/** The first-party tiers, in Claude Code's documented precedence. */
const FIRST_PARTY_ORDER: CredentialSource[] = [
  'ANTHROPIC_AUTH_TOKEN',
  'ANTHROPIC_API_KEY',
  'apiKeyHelper',
  'CLAUDE_CODE_OAUTH_TOKEN',
  'claude.ai',
  '/login managed key',
];

export const CREDENTIAL_VARIABLES = [
  'ANTHROPIC_AUTH_TOKEN',
  'ANTHROPIC_API_KEY',
  'CLAUDE_CODE_OAUTH_TOKEN',
  'ANTHROPIC_AWS_API_KEY',
  'AWS_BEARER_TOKEN_BEDROCK',
] as const;

export const SWITCH_VARIABLES = [...PROVIDER_SWITCHES.map(([name]) => name), 'CLAUDE_CODE_USE_GATEWAY'];

/** Claude Code's truthiness for env switches. */
export function isTruthy(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 'yes', 'on'].includes(value.trim().toLowerCase());
}

/** A variable as Claude Code ends up seeing it, with where it came from. */
interface Resolved {
  value: string;
  origin: Origin;
  detail?: string;
  /** Earlier definitions this one overrides. */
  overrides: { origin: Origin; detail?: string }[];
  /** Set when the effective value is "" because a settings file cancelled it. */
  cancelledBy?: { origin: Origin; detail: string };
}

function resolveEnv(inputs: AuthInputs): Map<string, Resolved> {
  const vars = new Map<string, Resolved>();
  const exportOf = (name: string) => inputs.shellExports.find((e) => e.name === name);
  for (const [name, value] of Object.entries(inputs.env)) {
    const exported = exportOf(name);
    vars.set(name, {
      value,
      origin: inputs.envOrigin,
      ...(exported ? { detail: `${exported.file}:${exported.line}` } : {}),
      overrides: [],
    });
  }
  for (const scope of ENV_LAYER_ORDER) {
    for (const layer of inputs.settings.filter((l) => l.scope === scope && !l.problem)) {
      for (const [name, value] of Object.entries(layer.env)) {
        const before = vars.get(name);
        const overrides = before
          ? [...before.overrides, { origin: before.origin, ...(before.detail ? { detail: before.detail } : {}) }]
          : [];
        const origin: Origin = `settings:${scope}`;
        const next: Resolved = { value, origin, detail: layer.path, overrides };
        if (value === '' && before && before.value !== '') next.cancelledBy = { origin, detail: layer.path };
        else if (value === '' && before?.cancelledBy) next.cancelledBy = before.cancelledBy;
        vars.set(name, next);
      }
    }
  }
  return vars;
}

export function computeAuthPicture(inputs: AuthInputs): AuthPicture {
  const vars = resolveEnv(inputs);
  const set = (name: string): Resolved | null => {
    const v = vars.get(name);
    return v && v.value !== '' ? v : null;
  };
  const provider = resolveProvider(vars);
  // Within a scope a later layer wins (a repository's top-folder local file over the subfolder's own).
  const helperLayer = HELPER_ORDER.flatMap((scope) =>
    inputs.settings.filter((l) => l.scope === scope && !l.problem).reverse(),
  ).find((l) => l.apiKeyHelper !== undefined && l.apiKeyHelper.trim() !== '');

  // Every credential that is present, as a value that could go in a header.
  const candidates = new Map<CredentialSource, HeaderValue>();
  const fromVar = (name: CredentialSource & string) => {
    const v = set(name);
    if (v)
      candidates.set(name, {
        source: name,
        origin: v.origin,
        masked: maskSecret(v.value),
        ...(v.detail ? { detail: v.detail } : {}),
      });
  };
  for (const name of [
    'ANTHROPIC_AUTH_TOKEN',
    'ANTHROPIC_API_KEY',
    'CLAUDE_CODE_OAUTH_TOKEN',
    'ANTHROPIC_AWS_API_KEY',
    'AWS_BEARER_TOKEN_BEDROCK',
  ] as const) {
    fromVar(name);
  }
  let helperInfo: HelperInfo | undefined;
  if (helperLayer?.apiKeyHelper) {
    helperInfo = inputs.helpers[helperLayer.apiKeyHelper];
    const keytray = helperInfo?.keytray;
    candidates.set('apiKeyHelper', {
      source: 'apiKeyHelper',
      origin: `settings:${helperLayer.scope}`,
      masked: helperInfo?.masked ?? null,
      detail: keytray
        ? helperInfo?.proxy
          ? `keytray proxy token; the proxy sends ${keytray.provider}/${keytray.label}`
          : `keytray: ${keytray.provider}/${keytray.label}`
        : `runs: ${helperLayer.apiKeyHelper}`,
    });
  }
  if (inputs.login?.usable) {
    candidates.set('claude.ai', {
      source: 'claude.ai',
      origin: inputs.login.origin,
      masked: inputs.login.masked,
      detail: inputs.login.detail,
    });
  }
  if (inputs.primaryApiKey) {
    candidates.set('/login managed key', {
      source: '/login managed key',
      origin: 'config:global',
      masked: inputs.primaryApiKey.masked,
      detail: inputs.primaryApiKey.detail,
    });
  }
  if (inputs.awsChain) {
    candidates.set('aws-sigv4', { source: 'aws-sigv4', origin: 'aws:chain', masked: null, detail: inputs.awsChain.detail });
  }

  const headers = chooseHeaders(provider, candidates, vars);
  const sent = new Set([headers['x-api-key']?.source, headers.authorization?.source].filter(Boolean));
  const winner = [...FIRST_PARTY_ORDER, 'ANTHROPIC_AWS_API_KEY', 'AWS_BEARER_TOKEN_BEDROCK', 'aws-sigv4'].find((s) =>
    sent.has(s as CredentialSource),
  ) as CredentialSource | undefined;

  const tiers = buildTiers(provider, candidates, vars, sent, winner, inputs);
  const destination = destinationOf(provider, vars);
  const models = Object.fromEntries(
    MODEL_VARIABLES.flatMap((name) => (vars.get(name)?.value ? [[name, vars.get(name)?.value as string]] : [])),
  );
  const picture: AuthPicture = {
    tool: 'claude-code',
    cwd: inputs.cwd,
    provider,
    ...(destination ? { destination } : {}),
    ...(models.ANTHROPIC_MODEL ? { model: models.ANTHROPIC_MODEL } : {}),
    ...(Object.keys(models).length > 0 ? { models } : {}),
    headers,
    winner: winner ?? 'none',
    tiers,
    warnings: [],
  };
  picture.warnings = warningsFor(picture, inputs, vars, helperInfo, helperLayer);
  return picture;
}

/**
 * The variables Claude Code reads model names from (https://code.claude.com/docs/en/model-config),
 * by KeyTray's name for each (ModelNames). ANTHROPIC_SMALL_FAST_MODEL is deprecated for the Haiku one.
 */
export const MODEL_VARIABLE: Record<'model' | 'opus' | 'sonnet' | 'haiku' | 'subagent', string> = {
  model: 'ANTHROPIC_MODEL',
  opus: 'ANTHROPIC_DEFAULT_OPUS_MODEL',
  sonnet: 'ANTHROPIC_DEFAULT_SONNET_MODEL',
  haiku: 'ANTHROPIC_DEFAULT_HAIKU_MODEL',
  subagent: 'CLAUDE_CODE_SUBAGENT_MODEL',
};
export const MODEL_VARIABLES: readonly string[] = [...Object.values(MODEL_VARIABLE), 'ANTHROPIC_SMALL_FAST_MODEL'];

/** The base URL Claude Code sends to, as its variables say (`""` cancels a variable, as everywhere). */
function destinationOf(provider: ApiProvider, vars: Map<string, Resolved>): string | undefined {
  const value = (name: string) => vars.get(name)?.value || undefined;
  const region = value('AWS_REGION') ?? value('AWS_DEFAULT_REGION');
  switch (provider) {
    case 'firstParty':
      return value('ANTHROPIC_BASE_URL') ?? 'https://api.anthropic.com';
    case 'anthropicAws':
      return value('ANTHROPIC_AWS_BASE_URL') ?? (region ? `https://aws-external-anthropic.${region}.api.aws` : undefined);
    case 'bedrock':
      return value('ANTHROPIC_BEDROCK_BASE_URL') ?? (region ? `https://bedrock-runtime.${region}.amazonaws.com` : undefined);
    default:
      return undefined;
  }
}

function resolveProvider(vars: Map<string, Resolved>): ApiProvider {
  if (isTruthy(vars.get('CLAUDE_CODE_USE_GATEWAY')?.value)) return 'gateway';
  for (const [name, provider] of PROVIDER_SWITCHES) if (isTruthy(vars.get(name)?.value)) return provider;
  return 'firstParty';
}

/**
 * Which value travels in which header. First party, as observed:
 * - `x-api-key`: ANTHROPIC_API_KEY, else the helper's output, else — unless an
 *   OAuth token is in use — the `/login` Console key.
 * - `Authorization`: ANTHROPIC_AUTH_TOKEN, else the helper's output, else —
 *   unless an API key is set — the OAuth token (CLAUDE_CODE_OAUTH_TOKEN, then
 *   the `/login` session). OAuth is used only when no API key, helper or auth
 *   token is present.
 */
function chooseHeaders(
  provider: ApiProvider,
  c: Map<CredentialSource, HeaderValue>,
  vars: Map<string, Resolved>,
): Record<HeaderName, HeaderValue | null> {
  const get = (s: CredentialSource) => c.get(s) ?? null;
  switch (provider) {
    case 'firstParty': {
      const apiKey = get('ANTHROPIC_API_KEY');
      const helper = get('apiKeyHelper');
      const authToken = get('ANTHROPIC_AUTH_TOKEN');
      const oauth = apiKey || helper || authToken ? null : (get('CLAUDE_CODE_OAUTH_TOKEN') ?? get('claude.ai'));
      return {
        'x-api-key': apiKey ?? helper ?? (oauth ? null : get('/login managed key')),
        authorization: authToken ?? helper ?? (apiKey ? null : oauth),
      };
    }
    case 'anthropicAws': {
      if (isTruthy(vars.get('CLAUDE_CODE_SKIP_ANTHROPIC_AWS_AUTH')?.value)) {
        // A gateway signs: Claude Code sends the auth token or helper output in both headers.
        const both = get('ANTHROPIC_AUTH_TOKEN') ?? get('apiKeyHelper');
        return { 'x-api-key': both, authorization: both };
      }
      const awsKey = get('ANTHROPIC_AWS_API_KEY');
      return { 'x-api-key': awsKey, authorization: awsKey ? null : get('aws-sigv4') };
    }
    case 'bedrock': {
      const bearer = get('AWS_BEARER_TOKEN_BEDROCK');
      if (isTruthy(vars.get('CLAUDE_CODE_SKIP_BEDROCK_AUTH')?.value)) {
        return { 'x-api-key': null, authorization: bearer ?? get('ANTHROPIC_AUTH_TOKEN') ?? get('apiKeyHelper') };
      }
      return { 'x-api-key': null, authorization: bearer ?? get('aws-sigv4') };
    }
    default:
      return { 'x-api-key': null, authorization: null };
  }
}

function buildTiers(
  provider: ApiProvider,
  c: Map<CredentialSource, HeaderValue>,
  vars: Map<string, Resolved>,
  sent: Set<CredentialSource | undefined>,
  winner: CredentialSource | undefined,
  inputs: AuthInputs,
): Tier[] {
  const order: CredentialSource[] =
    provider === 'anthropicAws'
      ? ['ANTHROPIC_AWS_API_KEY', 'aws-sigv4', ...FIRST_PARTY_ORDER]
      : provider === 'bedrock'
        ? ['AWS_BEARER_TOKEN_BEDROCK', 'aws-sigv4', ...FIRST_PARTY_ORDER]
        : FIRST_PARTY_ORDER;
  return order.map((source): Tier => {
    const value = c.get(source);
    if (!value) {
      const cancelled = vars.get(source)?.cancelledBy;
      if (cancelled) {
        return {
          source,
          state: 'cancelled',
          origin: cancelled.origin,
          detail: cancelled.detail,
          reason: `set to "" in ${cancelled.detail}`,
        };
      }
      if (source === 'claude.ai' && inputs.login && !inputs.login.usable) {
        return {
          source,
          state: 'ignored',
          origin: inputs.login.origin,
          detail: inputs.login.detail,
          reason: 'the login has no inference scope',
        };
      }
      return { source, state: 'absent' };
    }
    const base = { source, origin: value.origin, masked: value.masked, ...(value.detail ? { detail: value.detail } : {}) };
    if (source === winner) return { ...base, state: 'wins' };
    if (sent.has(source)) return { ...base, state: 'sent' };
    if (provider !== 'firstParty' && FIRST_PARTY_ORDER.includes(source) && !sent.has(source)) {
      return { ...base, state: 'ignored', reason: `${providerName(provider)} is on: first-party credentials are not used` };
    }
    return { ...base, state: 'shadowed', reason: shadowReason(source, sent) };
  });
}

function shadowReason(source: CredentialSource, sent: Set<CredentialSource | undefined>): string {
  const by = [...sent].filter(Boolean).join(' and ');
  if (source === 'CLAUDE_CODE_OAUTH_TOKEN' || source === 'claude.ai') return `OAuth is not used while ${by} is set`;
  return `${by} takes its place`;
}

export function providerName(provider: ApiProvider): string {
  const names: Record<ApiProvider, string> = {
    firstParty: 'the Anthropic API',
    bedrock: 'Amazon Bedrock',
    foundry: 'Microsoft Foundry',
    anthropicAws: 'Claude Platform on AWS',
    anthropicGoogleCloud: 'Claude on Google Cloud',
    mantle: 'Mantle',
    vertex: 'Google Vertex AI',
    gateway: 'an LLM gateway',
  };
  return names[provider];
}

function warningsFor(
  picture: AuthPicture,
  inputs: AuthInputs,
  vars: Map<string, Resolved>,
  helperInfo: HelperInfo | undefined,
  helperLayer: SettingsLayer | undefined,
): AuthWarning[] {
  const warnings: AuthWarning[] = [];
  const { headers, provider } = picture;
  const sentSources = new Set([headers['x-api-key']?.source, headers.authorization?.source]);
  const keytrayHelper = helperInfo?.keytray;

  for (const layer of inputs.settings.filter((l) => l.problem)) {
    warnings.push({
      code: 'settings-unreadable',
      message: `${layer.path} is not valid JSON (${layer.problem}); its settings are left out of this picture.`,
      fix: 'Fix the file: Claude Code cannot use it either.',
    });
  }

  if (provider === 'firstParty' && headers['x-api-key'] === null && headers.authorization === null) {
    warnings.push({
      code: 'no-credential',
      message: 'Claude Code has no credential here: it will say "Not logged in".',
      fix: 'Add a key with `keytray keys add anthropic --label <name>`, then `keytray configure claude-code`.',
    });
  }

  // A key from the environment or a settings file takes the place of KeyTray's helper.
  for (const name of ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN'] as const) {
    const v = vars.get(name);
    if (!v || v.value === '' || !sentSources.has(name)) continue;
    const header = name === 'ANTHROPIC_API_KEY' ? 'x-api-key' : 'Authorization';
    const where = v.origin.startsWith('settings:') ? `the env block of ${v.detail}` : v.detail ? v.detail : 'the environment';
    if (keytrayHelper) {
      const exported = v.origin.startsWith('env:') && v.detail;
      warnings.push({
        code: exported ? 'shell-export-shadows-keychain' : 'env-shadows-keychain',
        message: `${name} from ${where} is sent as ${header} instead of the keychain key (${keytrayHelper.provider}/${keytrayHelper.label}).`,
        fix: exported
          ? `Remove the line at ${v.detail}, or run \`keytray configure claude-code --neutralize-env\` so Claude Code ignores it.`
          : `Run \`keytray configure claude-code --neutralize-env\` so Claude Code ignores ${name}, or unset it.`,
      });
    }
    if (v.origin.startsWith('settings:')) {
      warnings.push({
        code: 'plaintext-key-in-settings',
        message: `${name} is stored in plain text in ${v.detail}.`,
        fix: 'Move it to the keychain (`keytray keys add anthropic --label <name>`), delete it from that file, and run `keytray configure claude-code`.',
      });
    }
    if (name === 'ANTHROPIC_API_KEY' && v.origin.startsWith('env:')) {
      warnings.push({
        code: 'interactive-key-approval',
        message:
          'Interactive `claude` asks once whether to use ANTHROPIC_API_KEY from the environment, and remembers the answer; `claude -p` uses it without asking.',
      });
    }
  }

  if (helperLayer && helperInfo?.problem && sentSources.has('apiKeyHelper')) {
    warnings.push({
      code: 'helper-will-fail',
      message: `The apiKeyHelper in ${helperLayer.path} will fail (${helperInfo.problem}); Claude Code then sends an empty key.`,
      fix: helperInfo.fix ?? (keytrayHelper ? 'Run `keytray doctor` to see why.' : 'Fix the helper command.'),
    });
  }

  // A helper and a base URL from two scopes that cannot work together.
  const toProxy = picture.destination ? proxyRouteOf(picture.destination) : null;
  if (keytrayHelper && sentSources.has('apiKeyHelper') && provider === 'firstParty') {
    const baseUrl = vars.get('ANTHROPIC_BASE_URL');
    const from = baseUrl ? describeOrigin(baseUrl) : 'nowhere';
    if (!helperInfo?.proxy && toProxy) {
      warnings.push({
        code: 'helper-key-to-proxy',
        message: `The helper in ${helperLayer?.path} hands Claude Code the key itself, but ANTHROPIC_BASE_URL (${from}) sends it to KeyTray's proxy, which refuses anything but its token: every request fails.`,
        fix: `Run \`keytray configure claude-code --scope ${helperLayer?.scope ?? 'user'}\` again: it writes the base URL that scope needs beside the helper.`,
      });
    } else if (helperInfo?.proxy && !toProxy) {
      warnings.push({
        code: 'proxy-token-elsewhere',
        message: `The helper in ${helperLayer?.path} hands Claude Code a KeyTray proxy token, but requests go to ${picture.destination ?? 'the provider'} (ANTHROPIC_BASE_URL ${from}), which cannot use it: every request fails.`,
        fix: `Run \`keytray configure claude-code --scope ${helperLayer?.scope ?? 'user'} --mode proxy\` again, or remove the other ANTHROPIC_BASE_URL.`,
      });
    }
  }

  const proxyProblem = helperInfo?.proxy && proxyWarning('Claude Code', helperInfo.proxy, 'helper');
  if (proxyProblem && sentSources.has('apiKeyHelper')) warnings.push(proxyProblem);

  // KeyTray's helper in a lower scope, overridden by another file's helper.
  const keytrayLayers = inputs.settings.filter((l) => !l.problem && l.apiKeyHelper && inputs.helpers[l.apiKeyHelper]?.keytray);
  for (const layer of keytrayLayers) {
    // A KeyTray helper over KeyTray's own is a binding the user made (a project bound to its key): that is its point.
    if (helperLayer && layer !== helperLayer && !helperInfo?.keytray) {
      warnings.push({
        code: 'helper-overridden',
        message: `KeyTray's helper in ${layer.path} is overridden by the apiKeyHelper in ${helperLayer.path} (${helperLayer.scope} settings win).`,
        fix:
          helperLayer.scope === 'managed'
            ? 'Managed settings are set by your administrator; ask them, or configure KeyTray there.'
            : `Remove apiKeyHelper from ${helperLayer.path}, or configure KeyTray for that scope (\`keytray configure claude-code --scope ${helperLayer.scope}\`).`,
      });
    }
  }

  if (provider !== 'firstParty') {
    const overridden = picture.tiers.filter((t) => t.state === 'ignored' && FIRST_PARTY_ORDER.includes(t.source));
    if (overridden.length > 0) {
      const switchVar = vars.get(PROVIDER_SWITCHES.find(([, p]) => p === provider)?.[0] ?? 'CLAUDE_CODE_USE_GATEWAY');
      warnings.push({
        code: 'cloud-provider-overrides',
        message: `${providerName(provider)} is switched on${switchVar ? ` (${describeOrigin(switchVar)})` : ''}: ${overridden.map((t) => t.source).join(', ')} ${overridden.length === 1 ? 'is' : 'are'} not used.`,
        fix: 'That is expected when you mean to use the cloud provider; otherwise remove the switch.',
      });
    }
    if (headers['x-api-key'] === null && headers.authorization === null) {
      warnings.push({
        code: provider === 'anthropicAws' || provider === 'bedrock' ? 'no-cloud-credential' : 'provider-not-modeled',
        message:
          provider === 'anthropicAws' || provider === 'bedrock'
            ? `${providerName(provider)} is on, but no credential for it was found: requests will fail.`
            : `KeyTray does not model ${providerName(provider)} credentials; its headers are not shown.`,
      });
    }
  }

  const projectCredentials = CREDENTIAL_VARIABLES.filter((name) => {
    const v = vars.get(name);
    return v?.origin === 'settings:project' || v?.origin === 'settings:local';
  });
  if (projectCredentials.length > 0) {
    warnings.push({
      code: 'auth-status-differs',
      message: `\`claude auth status\` does not show ${projectCredentials.join(', ')} from this project's settings, but \`claude\` runs here use ${projectCredentials.length === 1 ? 'it' : 'them'}.`,
    });
  }
  if (
    inputs.settings.some(
      (l) => (l.scope === 'project' || l.scope === 'local') && !l.problem && (l.apiKeyHelper || Object.keys(l.env).length),
    )
  ) {
    warnings.push({
      code: 'workspace-trust',
      message:
        "Interactive `claude` applies this project's settings once you trust the folder; `claude -p` applies them straight away.",
    });
  }

  // Exports in startup files that this environment did not pick up.
  for (const e of inputs.shellExports) {
    if (!CREDENTIAL_VARIABLES.includes(e.name as (typeof CREDENTIAL_VARIABLES)[number]) && !SWITCH_VARIABLES.includes(e.name))
      continue;
    if (inputs.env[e.name] !== undefined) continue;
    // A settings env block sets or cancels it ("" after --neutralize-env): a shell's export would not reach Claude Code.
    if (vars.get(e.name)?.origin.startsWith('settings:')) continue;
    warnings.push({
      code: 'shell-export-elsewhere',
      message: `${e.file}:${e.line} sets ${e.name}; a Claude Code started from a shell that reads that file will use it, and this picture would change.`,
      fix: `Remove it from ${e.file}, or run \`keytray configure claude-code --neutralize-env\`.`,
    });
  }
  return warnings;
}

function describeOrigin(v: Resolved): string {
  return v.origin.startsWith('settings:') ? `in ${v.detail}` : v.detail ? `exported at ${v.detail}` : 'in the environment';
}
