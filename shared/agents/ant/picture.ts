/**
 * Anthropic's `ant` CLI's auth picture: which credential `ant` started in
 * this environment will send, from where, to where. Pure. The order is ant's
 * own (see ./environment.ts): the AWS tier first, when `ANTHROPIC_USE_AWS`
 * is on; else the first of `ANTHROPIC_API_KEY`, `ANTHROPIC_AUTH_TOKEN`, the
 * profile `ANTHROPIC_PROFILE` names, the federation variables, and the
 * active profile under the config folder. ant is not run in CI (a Go binary
 * that is not on the npm registry): unit tests hold these rules.
 */
import { maskSecret } from '../../mask';
import type { AgentPicture, AuthWarning, PictureHeader, PictureTier } from '../picture';

export const ANT_DEFAULT_BASE_URL = 'https://api.anthropic.com';

/** A profile as ant keeps it: `configs/<name>.json` (no secret) beside `credentials/<name>.json` (the secret). */
export interface AntProfile {
  name: string;
  /** `configs/<name>.json`, when it exists. */
  configPath: string | null;
  /** `authentication.type` in it (`user_oauth`, `oidc_federation`…). */
  authType?: string;
  /** `credentials/<name>.json`, when it exists, with its permission bits. */
  credentials: { path: string; mode: number } | null;
}

export interface AntInputs {
  cwd: string;
  /** The environment ant starts with. */
  env: Record<string, string>;
  envOrigin: string;
  /** `ANTHROPIC_CONFIG_DIR`, else `~/.config/anthropic`. */
  configDir: string;
  /** The profile ant would load: `ANTHROPIC_PROFILE`'s, else `active_config`'s, else `default`. */
  profile: AntProfile;
}

const FEDERATION = [
  'ANTHROPIC_FEDERATION_RULE_ID',
  'ANTHROPIC_ORGANIZATION_ID',
  'ANTHROPIC_IDENTITY_TOKEN',
  'ANTHROPIC_IDENTITY_TOKEN_FILE',
];

/** How Go's strconv.ParseBool reads a flag's variable (urfave/cli's BoolFlag). */
function isOn(value: string | undefined): boolean {
  return value !== undefined && ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value);
}

export function computeAntPicture(inputs: AntInputs): AgentPicture {
  const env = (name: string) => (inputs.env[name] ? inputs.env[name] : undefined);
  const tiers: PictureTier[] = [];
  const warnings: AuthWarning[] = [];
  const headers: Record<string, PictureHeader | null> = { 'x-api-key': null, authorization: null };
  let winner: string | null = null;
  const fromEnv = (name: string): PictureHeader => ({
    source: name,
    origin: inputs.envOrigin,
    masked: maskSecret(env(name) ?? ''),
  });
  const later = (source: string, reason: string, extra: Partial<PictureTier> = {}) =>
    tiers.push({ source, state: winner ? 'shadowed' : 'absent', ...extra, ...(winner ? { reason } : {}) });

  const aws = isOn(env('ANTHROPIC_USE_AWS'));
  const region = env('AWS_REGION') ?? env('AWS_DEFAULT_REGION');
  let destination = env('ANTHROPIC_BASE_URL') ?? ANT_DEFAULT_BASE_URL;
  let provider = 'anthropic';

  if (aws) {
    provider = 'anthropic-aws';
    destination = env('ANTHROPIC_AWS_BASE_URL') ?? `https://aws-external-anthropic.${region ?? '{region}'}.api.aws`;
    const missing = [!region && 'AWS_REGION', !env('ANTHROPIC_AWS_WORKSPACE_ID') && 'ANTHROPIC_AWS_WORKSPACE_ID'].filter(Boolean);
    if (missing.length > 0) {
      warnings.push({
        code: 'aws-settings-missing',
        message: `ant's Claude Platform on AWS tier is on (ANTHROPIC_USE_AWS), but ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not set; ant stops with an error.`,
        fix: 'Run it as `keytray exec --agent ant --provider anthropic-aws -- ant …` after `keytray provider set anthropic-aws --region <region> --workspace <id>`.',
      });
    }
    if (env('ANTHROPIC_AWS_API_KEY')) {
      headers['x-api-key'] = fromEnv('ANTHROPIC_AWS_API_KEY');
      winner = 'ANTHROPIC_AWS_API_KEY';
      tiers.push({ source: winner, state: 'wins', origin: inputs.envOrigin, masked: headers['x-api-key'].masked });
    } else {
      const signer = env('AWS_ACCESS_KEY_ID')
        ? `AWS_ACCESS_KEY_ID ${maskSecret(env('AWS_ACCESS_KEY_ID') ?? '')}`
        : env('AWS_PROFILE')
          ? `AWS profile "${env('AWS_PROFILE')}"`
          : 'the AWS credential chain';
      headers.authorization = { source: 'AWS SigV4', origin: inputs.envOrigin, masked: null, detail: `signed with ${signer}` };
      winner = 'AWS SigV4';
      tiers.push({ source: winner, state: 'wins', origin: inputs.envOrigin, masked: null, detail: `signed with ${signer}` });
    }
    for (const name of ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN']) {
      if (env(name)) {
        tiers.push({
          source: name,
          state: 'ignored',
          origin: inputs.envOrigin,
          masked: maskSecret(env(name) ?? ''),
          reason: 'the AWS tier (ANTHROPIC_USE_AWS) comes first',
        });
      }
    }
  } else {
    for (const [name, header] of [
      ['ANTHROPIC_API_KEY', 'x-api-key'],
      ['ANTHROPIC_AUTH_TOKEN', 'authorization'],
    ] as const) {
      if (!env(name)) {
        tiers.push({ source: name, state: 'absent' });
        continue;
      }
      const value = fromEnv(name);
      if (!winner) {
        headers[header] = value;
        winner = name;
        tiers.push({ source: name, state: 'wins', origin: inputs.envOrigin, masked: value.masked });
      } else later(name, `${winner} comes first`, { origin: inputs.envOrigin, masked: value.masked });
    }
    const profile = inputs.profile;
    const named = env('ANTHROPIC_PROFILE');
    const profileTier = (source: string) => {
      const usable = profile.configPath !== null;
      if (!usable) {
        tiers.push({ source, state: 'absent', detail: `${inputs.configDir}/configs/${profile.name}.json` });
        return;
      }
      const detail = `${profile.configPath}${profile.authType ? ` (${profile.authType})` : ''}`;
      if (winner) {
        tiers.push({
          source,
          state: 'shadowed',
          origin: 'file:ant-profile',
          masked: null,
          detail,
          reason: `${winner} comes first`,
        });
        return;
      }
      winner = source;
      headers.authorization = { source, origin: 'file:ant-profile', masked: null, detail };
      tiers.push({ source, state: 'wins', origin: 'file:ant-profile', masked: null, detail });
    };
    if (named) profileTier(`profile "${named}" (ANTHROPIC_PROFILE)`);
    const federation = FEDERATION.filter((name) => env(name));
    if (federation.length > 0) {
      const source = 'federation';
      if (winner) later(source, `${winner} comes first`, { origin: inputs.envOrigin, detail: federation.join(', ') });
      else {
        winner = source;
        headers.authorization = { source, origin: inputs.envOrigin, masked: null, detail: federation.join(', ') };
        tiers.push({ source, state: 'wins', origin: inputs.envOrigin, masked: null, detail: federation.join(', ') });
      }
    }
    if (!named) profileTier(`active profile "${profile.name}"`);
  }

  const credentials = inputs.profile.credentials;
  if (credentials && (credentials.mode & 0o077) !== 0) {
    warnings.push({
      code: 'readable-credentials',
      message: `${credentials.path} (ant's profile credentials) can be read by other users (mode ${(credentials.mode & 0o777).toString(8).padStart(3, '0')}).`,
      fix: `Run \`chmod 600 ${credentials.path}\`.`,
    });
  }
  if (!winner) {
    warnings.push({
      code: 'no-credential',
      message: 'ant will send no credential: no key in its environment and no profile.',
      fix: 'Run it with a key from the keychain: `keytray exec --agent ant -- ant …`.',
    });
  }
  return {
    tool: 'ant',
    cwd: inputs.cwd,
    provider,
    destination,
    headers,
    winner: winner ?? 'none',
    tiers,
    warnings,
  };
}
