/**
 * OpenClaw's auth picture: which credential `openclaw agent exec` will send
 * for its default model, in which header, from where, to where. Pure. The
 * rules were measured with the real OpenClaw (2026.9.6, Node 24) and the
 * conformance suite holds them to it:
 *
 * - `agents.defaults.model.primary` ("<provider>/<model>") in openclaw.json
 *   names the default model and so the provider; `models.providers.<id>`
 *   overrides a provider's `baseUrl`, `api` and `apiKey`.
 * - `apiKey` is a plaintext string, an env shorthand ("${VAR}", "$VAR"), or a
 *   SecretRef `{ source, provider, id }`. An `exec` ref runs the command of
 *   `secrets.providers.<provider>` (absolute path, not a symlink, the user's,
 *   not group- or world-writable; with `jsonOnly: false` its plain stdout is
 *   the key) with only `passEnv`'s variables.
 * - An API-key auth profile that onboarding stored in OpenClaw's state
 *   database (`state/openclaw.sqlite`) wins over `models.providers.<id>.apiKey`,
 *   even over an exec SecretRef.
 * - `anthropic-messages` sends the key in `x-api-key`; the OpenAI APIs in
 *   `Authorization: Bearer`.
 */
import { maskSecret } from '../../mask';
import type { AgentPicture, AuthWarning, HelperInfo, PictureHeader, PictureTier } from '../picture';
import { proxyWarning } from '../proxy-warning';

/** How a provider's `apiKey` is written. */
export type ApiKeyValue =
  | { kind: 'plaintext'; value: string }
  | { kind: 'env'; name: string }
  | { kind: 'ref'; source: string; provider: string; id: string }
  | { kind: 'unreadable' };

export interface OpenClawProvider {
  baseUrl?: string;
  api?: string;
  apiKey?: ApiKeyValue;
}

export interface OpenClawSecretProvider {
  source?: string;
  command?: string;
  args: string[];
  /** `jsonOnly` (true when absent). */
  jsonOnly: boolean;
  passEnv: string[];
}

/** An API-key auth profile found in the state database (by a byte scan: Node 20 has no SQLite reader). */
export interface StoredProfile {
  id: string;
  provider: string;
  masked: string;
}

export interface OpenClawInputs {
  cwd: string;
  configPath: string;
  /** Set when openclaw.json exists but cannot be read. */
  configProblem?: string;
  /** `agents.defaults.model.primary`. */
  primary?: string;
  providers: Record<string, OpenClawProvider>;
  secretProviders: Record<string, OpenClawSecretProvider>;
  env: Record<string, string>;
  envOrigin: string;
  stateDb: { path: string; profiles: StoredProfile[] } | null;
  /** The default provider's exec command, when its apiKey is an exec ref: what OpenClaw's checks say of its path. */
  commandProblem?: string;
  /** What KeyTray knows of that command, when it is KeyTray's helper. */
  helper?: HelperInfo;
  /** Variables KeyTray's helper needs to reach the keychain, present in the environment but not passed. */
  missingPassEnv?: string[];
}

/** Where each provider sends its requests when openclaw.json does not say. */
export const OPENCLAW_DEFAULT_BASE_URLS: Record<string, string> = {
  anthropic: 'https://api.anthropic.com',
  openai: 'https://api.openai.com/v1',
  openrouter: 'https://openrouter.ai/api/v1',
};

/** The environment variable OpenClaw reads a provider's key from. */
export function envKeyName(provider: string): string {
  return `${provider.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_API_KEY`;
}

/** The header an `api` sends the key in. */
export function headerOf(provider: string, api: string | undefined): 'x-api-key' | 'authorization' {
  if (api) return api === 'anthropic-messages' ? 'x-api-key' : 'authorization';
  return provider === 'anthropic' ? 'x-api-key' : 'authorization';
}

export function computeOpenClawPicture(inputs: OpenClawInputs): AgentPicture {
  const tiers: PictureTier[] = [];
  const warnings: AuthWarning[] = [];
  const primary = inputs.primary;
  const slash = primary?.indexOf('/') ?? -1;
  const selected = primary && slash > 0 ? primary.slice(0, slash) : undefined;

  if (inputs.configProblem) {
    warnings.push({
      code: 'settings-unreadable',
      message: `OpenClaw cannot read ${inputs.configPath}: ${inputs.configProblem}.`,
      fix: 'Fix the file; OpenClaw stops with "Invalid config" until then.',
    });
  }
  for (const [id, provider] of Object.entries(inputs.providers)) {
    if (provider.apiKey?.kind !== 'plaintext') continue;
    warnings.push({
      code: 'plaintext-key-in-settings',
      message: `${inputs.configPath} holds a key in plaintext (models.providers.${id}.apiKey).`,
      fix: `Store the key with \`keytray keys add <provider> --label <name>\`, then run \`keytray configure openclaw --provider <provider>\`: it replaces it with a SecretRef that runs KeyTray's helper.`,
    });
  }
  for (const profile of inputs.stateDb?.profiles ?? []) {
    warnings.push({
      code: 'plaintext-key-in-state-db',
      message: `OpenClaw's state database ${inputs.stateDb?.path} holds a ${profile.provider} key in plaintext (auth profile "${profile.id}", stored by \`openclaw onboard\`), and it wins over models.providers.${profile.provider}.apiKey.`,
      fix: `Move it: add the same key to KeyTray (\`keytray keys add ${profile.provider} --label openclaw\`, pasted when asked), run \`keytray configure openclaw --provider ${profile.provider}\`, then delete OpenClaw's copy with \`openclaw models auth logout ${profile.id} --yes\`.`,
    });
  }

  if (!selected) {
    warnings.push({
      code: 'no-default-model',
      message: `OpenClaw has no default model (agents.defaults.model.primary in ${inputs.configPath}); \`openclaw agent exec\` needs --model <provider>/<model>.`,
      fix: 'Set agents.defaults.model.primary, e.g. "anthropic/claude-sonnet-4-6".',
    });
    return { tool: 'openclaw', cwd: inputs.cwd, provider: 'none', headers: {}, winner: 'none', tiers, warnings };
  }

  const config = inputs.providers[selected] ?? {};
  const header = headerOf(selected, config.api);
  const destination = config.baseUrl ?? OPENCLAW_DEFAULT_BASE_URLS[selected];
  let sent: PictureHeader | null = null;

  const profile = inputs.stateDb?.profiles.filter((p) => p.provider === selected).at(-1);
  if (profile) {
    sent = {
      source: 'auth profile',
      origin: 'state:openclaw',
      masked: profile.masked,
      detail: `${inputs.stateDb?.path} (${profile.id})`,
    };
    tiers.push({ source: 'auth profile', state: 'wins', origin: 'state:openclaw', masked: profile.masked, detail: sent.detail });
  } else {
    tiers.push({ source: 'auth profile', state: 'absent' });
  }

  const where = `${inputs.configPath} models.providers.${selected}.apiKey`;
  const apiKey = config.apiKey;
  if (!apiKey) {
    tiers.push({ source: 'apiKey', state: 'absent' });
  } else if (apiKey.kind === 'plaintext') {
    const masked = maskSecret(apiKey.value);
    tiers.push(tier('apiKey', sent, 'config:openclaw', masked, where));
    sent ??= { source: 'apiKey', origin: 'config:openclaw', masked, detail: where };
  } else if (apiKey.kind === 'env') {
    const value = inputs.env[apiKey.name];
    const source = `apiKey \${${apiKey.name}}`;
    if (value) {
      tiers.push(tier(source, sent, inputs.envOrigin, maskSecret(value), where));
      sent ??= { source, origin: inputs.envOrigin, masked: maskSecret(value), detail: where };
    } else {
      tiers.push({ source, state: 'absent', detail: where });
      warnings.push({
        code: 'provider-misconfigured',
        message: `${where} reads ${apiKey.name}, which is not set: OpenClaw fails the SecretRef.`,
        fix: 'Run `keytray configure openclaw` to give it a key from the keychain.',
      });
    }
  } else if (apiKey.kind === 'ref' && apiKey.source === 'exec') {
    sent = execTier(inputs, apiKey, selected, sent, where, tiers, warnings) ?? sent;
  } else if (apiKey.kind === 'ref') {
    const source = `SecretRef ${apiKey.source}:${apiKey.provider}`;
    tiers.push({ ...tier(source, sent, 'config:openclaw', null, where), masked: null });
    sent ??= { source, origin: 'config:openclaw', masked: null, detail: where };
  } else {
    tiers.push({ source: 'apiKey', state: 'ignored', detail: where, reason: 'it is neither a string nor a SecretRef' });
  }

  const variable = envKeyName(selected);
  const envValue = inputs.env[variable];
  if (envValue) {
    const masked = maskSecret(envValue);
    tiers.push(tier(variable, sent, inputs.envOrigin, masked));
    sent ??= { source: variable, origin: inputs.envOrigin, masked };
  }

  if (!sent && warnings.every((w) => w.code !== 'helper-will-fail' && w.code !== 'provider-misconfigured')) {
    warnings.push({
      code: 'no-credential',
      message: `OpenClaw will send no ${selected} key to ${destination ?? selected}.`,
      fix: `Run \`keytray configure openclaw --provider ${selected}\` to give it a key from the keychain.`,
    });
  }

  return {
    tool: 'openclaw',
    cwd: inputs.cwd,
    provider: selected,
    ...(destination ? { destination } : {}),
    ...(primary ? { model: primary } : {}),
    headers: { [header]: sent },
    winner: sent?.source ?? 'none',
    tiers,
    warnings,
  };
}

/** A lower tier: shadowed by what already wins, else the winner. */
function tier(source: string, winner: PictureHeader | null, origin: string, masked: string | null, detail?: string): PictureTier {
  return {
    source,
    state: winner ? 'shadowed' : 'wins',
    origin,
    masked,
    ...(detail ? { detail } : {}),
    ...(winner ? { reason: `the ${winner.source} takes its place` } : {}),
  };
}

/** An exec SecretRef: the command it runs, what OpenClaw will refuse about it, what KeyTray knows of it. */
function execTier(
  inputs: OpenClawInputs,
  ref: { provider: string; id: string },
  selected: string,
  winner: PictureHeader | null,
  where: string,
  tiers: PictureTier[],
  warnings: AuthWarning[],
): PictureHeader | null {
  const source = 'SecretRef exec';
  const command = inputs.secretProviders[ref.provider];
  if (command?.source !== 'exec' || !command.command) {
    tiers.push({ source, state: 'ignored', detail: where, reason: `secrets.providers.${ref.provider} is not an exec provider` });
    warnings.push({
      code: 'provider-misconfigured',
      message: `${where} names the exec provider "${ref.provider}", and secrets.providers.${ref.provider} does not declare one: OpenClaw fails the SecretRef.`,
      fix: `Run \`keytray configure openclaw --provider ${selected}\` again.`,
    });
    return null;
  }
  const helper = inputs.helper;
  const keytray = helper?.keytray;
  const detail = keytray
    ? helper?.proxy
      ? `keytray proxy token; the proxy sends ${keytray.provider}/${keytray.label}`
      : `keytray: ${keytray.provider}/${keytray.label}`
    : `runs: ${[command.command, ...command.args].join(' ')}`;
  const problems: { problem: string; fix: string }[] = [];
  if (inputs.commandProblem) {
    problems.push({
      problem: `OpenClaw refuses its command: ${inputs.commandProblem}`,
      fix: keytray
        ? 'Run `keytray configure openclaw` again: it rewrites the helper, mode 0700, in a folder of its own.'
        : 'Point the command at a real file of yours, mode 0700 or 0755.',
    });
  }
  if (keytray && command.jsonOnly) {
    problems.push({
      problem: `secrets.providers.${ref.provider} expects the JSON protocol (jsonOnly is not false), and KeyTray's helper prints the key alone`,
      fix: `Run \`keytray configure openclaw --provider ${selected}\` again: it sets jsonOnly: false.`,
    });
  }
  if (keytray && inputs.missingPassEnv?.length) {
    problems.push({
      problem: `OpenClaw runs the command without ${inputs.missingPassEnv.join(', ')} (not in passEnv), so KeyTray's helper cannot reach the keychain`,
      fix: `Run \`keytray configure openclaw --provider ${selected}\` again: it lists them in passEnv.`,
    });
  }
  // KeyTray's own check of its helper's place says the same as OpenClaw's: one sentence is enough.
  if (helper?.problem && !inputs.commandProblem)
    problems.push({ problem: helper.problem, fix: helper.fix ?? 'Run `keytray doctor`.' });
  const first = problems[0];
  if (first) {
    tiers.push({
      source,
      state: 'ignored',
      origin: 'config:openclaw',
      detail,
      reason: problems.map((p) => p.problem).join('; '),
    });
    for (const p of problems) {
      warnings.push({
        code: 'helper-will-fail',
        message: `The SecretRef for OpenClaw's ${selected} key will fail: ${p.problem}. OpenClaw then stops before sending anything.`,
        fix: p.fix,
      });
    }
    return null;
  }
  const masked = helper?.masked ?? null;
  const state = winner ? 'shadowed' : 'wins';
  tiers.push({
    source,
    state,
    origin: 'config:openclaw',
    masked,
    detail,
    ...(winner ? { reason: `the ${winner.source} takes its place` } : {}),
  });
  if (winner && keytray) {
    warnings.push({
      code: 'auth-profile-shadows-keychain',
      message: `OpenClaw sends the ${winner.source} (${winner.detail ?? 'its own store'}), not the key KeyTray configured.`,
      fix: `Delete OpenClaw's stored profile: \`openclaw models auth logout <profile> --yes\` (\`openclaw models auth list\` names it).`,
    });
  }
  const proxyProblem = helper?.proxy && proxyWarning('OpenClaw', helper.proxy, 'helper');
  if (proxyProblem && !winner) warnings.push(proxyProblem);
  return winner ? null : { source, origin: 'config:openclaw', masked, detail };
}
