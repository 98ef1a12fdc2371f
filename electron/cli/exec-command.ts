/**
 * `keytray exec [--provider P]… -- <command…>`: runs one command with keys in
 * its environment only, for tools that read keys from env (like
 * `aws-vault exec` or `envchain`). The keys never reach the shell.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { basename } from 'node:path';
import { ANT_PROVIDERS, type AntProvider, antEnvironment, antSettingsProblem } from '../../shared/agents/ant/environment';
import { awsChainVariables, isAccessKeys, type KeyCredential, parseAccessKeys } from '../../shared/aws-auth';
import { KeyTrayError } from '../../shared/errors';
import { maskSecret } from '../../shared/mask';
import { problems } from '../../shared/problems';
import { effectiveBaseUrl } from '../../shared/provider-settings';
import { isProviderId, type ProviderId, providerInfo } from '../../shared/providers';
import { processSituation } from '../core/agents/situation';
import type { Vault } from '../core/vault/vault';
import { cliServices } from './agent-commands';
import { parse } from './args';

export const EXEC_USAGE = `keytray exec [--provider <provider>[:<label>]]... -- <command> [args...]
       keytray exec --agent ant [--provider anthropic|anthropic-aws[:<label>]] -- ant [args...]`;

export async function execCommand(vault: Vault, args: string[]): Promise<number> {
  const split = args.indexOf('--');
  if (split < 0 || split === args.length - 1) {
    throw new KeyTrayError('usage', 'Missing the command to run after "--".', { fix: `Usage: ${EXEC_USAGE}` });
  }
  const options = { provider: { type: 'string', multiple: true }, agent: { type: 'string' } } as const;
  const { values } = parse(args.slice(0, split), options, EXEC_USAGE, { min: 0, max: 0 });
  const [command, ...commandArgs] = args.slice(split + 1) as [string, ...string[]];
  // Read first: it makes the providers the user defined known (shared/providers.ts).
  const meta = await vault.readMetadata();
  const specs = (values.provider ?? ['anthropic']).map(providerSpec);
  if (values.agent !== undefined) {
    if (values.agent !== 'ant') {
      throw new KeyTrayError('usage', `keytray exec --agent knows "ant" only, not "${values.agent}".`, {
        fix: "For other agents, leave out --agent (each provider's key goes in its usual variable), or give the agent a key command: `keytray configure <agent>`.",
      });
    }
    return runChild(command, commandArgs, await antChildEnvironment(vault, specs));
  }
  const env: NodeJS.ProcessEnv = { ...process.env };
  let anthropic: { label: string; secret: string } | null = null;
  for (const { provider, label } of specs) {
    const info = providerInfo(provider);
    const key = await storedCredential(vault, provider, label);
    // A SigV4 key goes to the AWS credential chain's variables, not to the provider's API-key one.
    Object.assign(
      env,
      key.credential.auth === 'api-key' ? { [info.keyEnvVar]: key.credential.secret } : awsChainVariables(key.credential),
    );
    if (provider === 'anthropic' && key.credential.auth === 'api-key')
      anthropic = { label: key.label, secret: key.credential.secret };
    const settings = meta.providers[provider]?.settings ?? {};
    if (info.baseUrlEnvVar && (settings.baseUrl || info.custom))
      env[info.baseUrlEnvVar] = effectiveBaseUrl(provider, settings) ?? undefined;
    if (info.regional && settings.region) env.AWS_REGION = settings.region;
    if (info.usesWorkspace && settings.workspaceId) env.ANTHROPIC_AWS_WORKSPACE_ID = settings.workspaceId;
  }
  if (anthropic && /^claude(\.exe)?$/.test(basename(command))) await expectClaudeSends(vault, env, anthropic);
  return runChild(command, commandArgs, env);
}

function providerSpec(spec: string): { provider: ProviderId; label: string | undefined } {
  const [provider = '', label] = spec.split(':');
  if (!isProviderId(provider))
    throw new KeyTrayError('usage', problems.unknownProvider(provider), { fix: `Usage: ${EXEC_USAGE}` });
  return { provider, label };
}

/** A stored key as a child gets it: its secret, its AWS access keys, or the AWS profile it signs with. */
async function storedCredential(
  vault: Vault,
  provider: ProviderId,
  label: string | undefined,
): Promise<{ label: string; credential: KeyCredential }> {
  const key = await vault.show(provider, label);
  if (key.auth === 'sigv4-profile')
    return { label: key.label, credential: { auth: 'sigv4-profile', profile: key.profile ?? '' } };
  const { secret } = await vault.secret(provider, key.label);
  if (key.auth !== 'sigv4-keys') return { label: key.label, credential: { auth: 'api-key', secret } };
  const keys = parseAccessKeys(secret);
  if (!isAccessKeys(keys)) {
    throw new KeyTrayError('inconsistent', `The stored AWS keys for ${provider}/${key.label} are not in the expected form.`, {
      fix: `Store them again: \`keytray keys add ${provider} --label ${key.label} --auth sigv4 --replace\`.`,
    });
  }
  return { label: key.label, credential: { auth: 'sigv4-keys', keys } };
}

/**
 * ant's environment for one key (shared/agents/ant/environment.ts): the
 * variables of exactly the tier the key belongs to, and none of those that
 * would make ant use another credential.
 */
async function antChildEnvironment(
  vault: Vault,
  specs: { provider: ProviderId; label: string | undefined }[],
): Promise<NodeJS.ProcessEnv> {
  const [spec, ...more] = specs;
  const antProvider = (p: ProviderId): p is AntProvider => (ANT_PROVIDERS as readonly string[]).includes(p);
  if (!spec || more.length > 0 || !antProvider(spec.provider)) {
    throw new KeyTrayError('usage', `ant takes one key, of ${ANT_PROVIDERS.join(' or ')}.`, {
      fix: 'Name one: `--provider anthropic[:<label>]`, or `--provider anthropic-aws[:<label>]` for its Claude Platform on AWS tier.',
    });
  }
  const settings = (await vault.readMetadata()).providers[spec.provider]?.settings ?? {};
  const problem = antSettingsProblem(spec.provider, settings);
  if (problem) {
    throw new KeyTrayError('usage', problem, {
      fix: 'Set them: `keytray provider set anthropic-aws --region <region> --workspace <id>`.',
    });
  }
  const { credential } = await storedCredential(vault, spec.provider, spec.label);
  const { set, unset } = antEnvironment(spec.provider, credential, settings);
  const env: NodeJS.ProcessEnv = { ...process.env, ...set };
  for (const name of unset) delete env[name];
  return env;
}

/**
 * Claude Code's settings can override the environment (an `env` block with
 * another key, or "" after --neutralize-env) or send a helper's key in the
 * same header: then the key asked for would not be the one sent. Refuse,
 * with what Claude Code would send instead, rather than run it.
 */
async function expectClaudeSends(vault: Vault, env: NodeJS.ProcessEnv, asked: { label: string; secret: string }): Promise<void> {
  const situation = processSituation(process.cwd());
  situation.env = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  const picture = await cliServices(vault).agents['claude-code'].picture(situation);
  const masked = maskSecret(asked.secret);
  const header = picture.headers['x-api-key'];
  const other = picture.headers.authorization;
  const ours = picture.provider === 'firstParty' && header?.source === 'ANTHROPIC_API_KEY' && header.masked === masked;
  // A helper's key travels beside it in Authorization: two keys, and not the one asked for alone.
  if (ours && (other === null || other.masked === masked)) return;
  const describe = (h: NonNullable<typeof header>) => `${h.source} from ${h.origin}${h.detail ? ` (${h.detail})` : ''}`;
  const instead = !ours
    ? header
      ? `it would send ${describe(header)}`
      : 'it would send no x-api-key at all'
    : `it would also send ${other ? describe(other) : 'another credential'} as Authorization`;
  throw new KeyTrayError('usage', `Claude Code here would not use anthropic/${asked.label} from its environment: ${instead}.`, {
    fix: `Take the other credential out of Claude Code's settings (an env block's ANTHROPIC_API_KEY, or an apiKeyHelper: \`keytray configure claude-code --remove\`), or bind this folder to the key instead: \`keytray configure claude-code --scope local --label ${asked.label}\`.`,
  });
}

function runChild(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    for (const s of signals) process.on(s, forward);
    child.on('error', (error: NodeJS.ErrnoException) => {
      for (const s of signals) process.off(s, forward);
      // As a shell reports it: 127 for a command not found, 126 for one that cannot be run.
      if (error.code === 'ENOENT' || error.code === 'EACCES') {
        const found = error.code === 'EACCES';
        process.stderr.write(
          `keytray exec: ${command}: ${found ? 'cannot be run (permission denied)' : 'command not found'}\n  ${found ? 'Check that it is executable.' : 'Check the command name and that it is on your PATH.'}\n`,
        );
        resolve(found ? 126 : 127);
        return;
      }
      reject(new KeyTrayError('internal', `Cannot run "${command}" (${error.code ?? 'error'}).`));
    });
    child.on('exit', (code, signal) => {
      for (const s of signals) process.off(s, forward);
      // A child killed by a signal exits like a shell reports it: 128 + number.
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}
