/**
 * What KeyTray's helper will print for an agent, worked out from metadata
 * and the keychain without running it: the masked key, or the masked proxy
 * token and the proxy it is meant for, or why it will fail.
 */
import { realpath } from 'node:fs/promises';
import type { AgentId, ConfigurableMode } from '../../../shared/agents/catalog';
import type { HelperInfo } from '../../../shared/agents/picture';
import { KeyTrayError } from '../../../shared/errors';
import type { HelperTarget } from '../../../shared/helper-command';
import { maskSecret } from '../../../shared/mask';
import type { Metadata } from '../../../shared/metadata';
import { effectiveBaseUrl } from '../../../shared/provider-settings';
import { type ProviderId, providerInfo } from '../../../shared/providers';
import { proxyBaseUrl } from '../../../shared/proxy-types';
import { exists } from '../files/exists';
import { proxyState } from '../proxy/identity';
import { heldToken } from '../proxy/proxy-token';
import type { Vault } from '../vault/vault';
import { helperPlaceProblem } from './helper-place';

/** Whether two paths name one file: the same path, or the same file once links are followed. */
async function sameFile(a: string, b: string): Promise<boolean> {
  if (a === b) return true;
  const [ra, rb] = await Promise.all([realpath(a).catch(() => null), realpath(b).catch(() => null)]);
  return ra !== null && ra === rb;
}

/** A base URL that points at KeyTray's proxy, and the provider route it names. */
export interface ProxyRoute {
  url: string;
  port: number;
  provider: ProviderId;
}

export async function describeTarget(
  script: string,
  target: HelperTarget,
  vault: Vault,
  route: ProxyRoute | null,
  agent: AgentId,
  /** KeyTray's own helper script: a command naming any other script is not KeyTray's, whatever its name. */
  own: string,
  /** The script a plan is about to write: its absence now is no problem. */
  planned?: string,
): Promise<HelperInfo> {
  if (!(await sameFile(script, own))) return { masked: null };
  const binding =
    target.kind === 'key'
      ? target
      : (target.binding ?? (route ? { provider: route.provider } : { provider: 'anthropic' as const }));
  const label = 'label' in binding ? binding.label : undefined;
  const keytray = { provider: binding.provider, label: label ?? '(active)' };
  const place = await helperPlaceProblem(script);
  if (place) return { masked: null, keytray, problem: place.problem, fix: place.fix.replace('<agent>', agent) };
  if (script !== planned && !(await exists(script))) {
    return {
      masked: null,
      keytray,
      problem: `its script ${script} is missing`,
      fix: `Run \`keytray configure ${agent}\` again: it writes the script anew.`,
    };
  }

  try {
    const key = await vault.show(binding.provider, label);
    const found = { provider: binding.provider, label: key.label };
    const missing =
      key.state === 'missing'
        ? {
            problem: `the keychain has no secret for ${binding.provider}/${key.label}`,
            fix: `Add it again with \`keytray keys add ${binding.provider} --label ${key.label} --replace\`.`,
          }
        : {};
    if (target.kind === 'key') return { masked: key.masked, keytray: found, ...missing };
    const token = await vault.existingProxyToken();
    const proxy = route
      ? { url: route.url, ...(await proxyState(route.port, token)) }
      : { url: '(no base URL points at the proxy)', running: false };
    return {
      masked: token ? maskSecret(heldToken(token, target.binding)) : null,
      keytray: found,
      proxy,
      ...(token
        ? missing
        : { problem: 'KeyTray has no proxy token yet', fix: `Run \`keytray configure ${agent} --mode proxy\` again.` }),
    };
  } catch (error) {
    return { masked: null, keytray, ...causeOf(error, binding.provider, label, agent) };
  }
}

/** Why KeyTray cannot tell what its helper prints, and what to do: one sentence and one fix per cause. */
function causeOf(
  error: unknown,
  provider: ProviderId,
  label: string | undefined,
  agent: AgentId,
): { problem: string; fix: string } {
  if (!(error instanceof KeyTrayError))
    return { problem: 'KeyTray cannot read its keys', fix: 'Run `keytray doctor` to see why.' };
  switch (error.code) {
    case 'not-found':
      return {
        problem: label ? `KeyTray no longer has the ${provider} key "${label}"` : `KeyTray has no ${provider} key`,
        fix: label
          ? `Bind another key (\`keytray configure ${agent} --label <key>\`), or add "${label}" back with \`keytray keys add ${provider} --label ${label}\`.`
          : `Add one with \`keytray keys add ${provider} --label <name>\`.`,
      };
    case 'keychain-unavailable':
      return {
        problem: `the keychain cannot be reached (${error.message.replace(/\.$/, '')})`,
        fix: error.fix ?? 'Unlock your keyring, then try again.',
      };
    case 'inconsistent':
      return {
        problem: `KeyTray's own files are damaged (${error.message.replace(/\.$/, '')})`,
        fix: error.fix ?? 'Run `keytray doctor`.',
      };
    default:
      return { problem: error.message.replace(/\.$/, ''), fix: error.fix ?? 'Run `keytray doctor` to see why.' };
  }
}

/**
 * Where an agent's requests for a provider go: the proxy's route for the
 * provider in proxy mode, else the provider's upstream (its setting, or the
 * catalog's default).
 */
export async function upstreamBase(vault: Vault, provider: ProviderId, mode: ConfigurableMode, meta: Metadata): Promise<string> {
  if (mode === 'proxy') return proxyBaseUrl(await vault.proxyPort(), provider);
  const base = effectiveBaseUrl(provider, meta.providers[provider]?.settings ?? {});
  if (!base) throw new KeyTrayError('usage', `${providerInfo(provider).label} has no base URL.`);
  return base;
}
