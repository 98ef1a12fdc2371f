/**
 * The environment Anthropic's `ant` CLI reads a credential from, for one
 * stored key (`keytray exec --agent ant`). Pure. The rules are ant's own
 * (anthropics/anthropic-cli, pkg/cmd/cmdutil.go and the AWS tier's flags);
 * ant is a Go binary that is not on the npm registry, so they are held by
 * unit tests of this mapping, not by running ant:
 *
 * - The AWS tier comes first: `ANTHROPIC_USE_AWS` (`--aws`) with
 *   `AWS_REGION` (else `AWS_DEFAULT_REGION`) and `ANTHROPIC_AWS_WORKSPACE_ID`;
 *   `ANTHROPIC_AWS_API_KEY` selects API-key mode (`x-api-key`), and without
 *   it requests are SigV4-signed through the AWS credential chain (the
 *   `AWS_ACCESS_KEY_ID` variables first, then `AWS_PROFILE`).
 *   `ANTHROPIC_AWS_BASE_URL` overrides the regional endpoint.
 * - Otherwise one first-party credential, the first of: `ANTHROPIC_API_KEY`
 *   (`x-api-key`), `ANTHROPIC_AUTH_TOKEN` (Bearer), a profile named by
 *   `ANTHROPIC_PROFILE`, the federation variables, the active profile under
 *   `ANTHROPIC_CONFIG_DIR`. `ANTHROPIC_BASE_URL` overrides the endpoint.
 *
 * So that the key asked for is the one ant uses, every variable that would
 * select another tier or another credential is taken out of the child's
 * environment.
 */
import { awsChainVariables, type KeyCredential } from '../../aws-auth';
import type { ProviderSettings } from '../../metadata';

export const ANT_PROVIDERS = ['anthropic', 'anthropic-aws'] as const;
export type AntProvider = (typeof ANT_PROVIDERS)[number];

/** What ant would read instead of the key asked for: the first-party tiers… */
const FIRST_PARTY = [
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_AUTH_TOKEN',
  'ANTHROPIC_PROFILE',
  'ANTHROPIC_FEDERATION_RULE_ID',
  'ANTHROPIC_ORGANIZATION_ID',
  'ANTHROPIC_SERVICE_ACCOUNT_ID',
  'ANTHROPIC_IDENTITY_TOKEN',
  'ANTHROPIC_IDENTITY_TOKEN_FILE',
  'ANTHROPIC_BASE_URL',
] as const;
/** …the AWS tier… */
const AWS_TIER = ['ANTHROPIC_USE_AWS', 'ANTHROPIC_AWS_API_KEY', 'ANTHROPIC_AWS_WORKSPACE_ID', 'ANTHROPIC_AWS_BASE_URL'] as const;
/** …and the AWS credential chain's own sources. */
const AWS_CHAIN = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'] as const;

export interface AntEnvironment {
  /** Variables to set in the child's environment. */
  set: Record<string, string>;
  /** Variables to take out of it: each would make ant use something other than the key asked for. */
  unset: string[];
}

/** A sentence for what the provider still needs before ant can use it; null when nothing is missing. */
export function antSettingsProblem(provider: AntProvider, settings: ProviderSettings): string | null {
  if (provider !== 'anthropic-aws') return null;
  const missing = [!settings.region && 'a region', !settings.workspaceId && 'a workspace ID'].filter(Boolean);
  return missing.length === 0 ? null : `ant's Claude Platform on AWS tier needs ${missing.join(' and ')}.`;
}

/**
 * The environment for ant to use `credential` of `provider`, with the
 * provider's settings (a custom base URL; for AWS, the region and workspace).
 * Throws when an AWS setting ant needs is missing (see antSettingsProblem).
 */
export function antEnvironment(provider: AntProvider, credential: KeyCredential, settings: ProviderSettings): AntEnvironment {
  const problem = antSettingsProblem(provider, settings);
  if (problem) throw new Error(problem);
  const set: Record<string, string> = {};
  if (provider === 'anthropic') {
    if (credential.auth !== 'api-key') throw new Error('An Anthropic key is an API key.');
    set.ANTHROPIC_API_KEY = credential.secret;
    if (settings.baseUrl) set.ANTHROPIC_BASE_URL = settings.baseUrl;
  } else {
    set.ANTHROPIC_USE_AWS = '1';
    set.AWS_REGION = settings.region as string;
    set.ANTHROPIC_AWS_WORKSPACE_ID = settings.workspaceId as string;
    if (settings.baseUrl) set.ANTHROPIC_AWS_BASE_URL = settings.baseUrl;
    Object.assign(
      set,
      credential.auth === 'api-key' ? { ANTHROPIC_AWS_API_KEY: credential.secret } : awsChainVariables(credential),
    );
  }
  const unset = [...FIRST_PARTY, ...AWS_TIER, ...AWS_CHAIN, 'AWS_DEFAULT_REGION'].filter((name) => !(name in set));
  return { set, unset };
}
