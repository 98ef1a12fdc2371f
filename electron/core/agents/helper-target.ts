/**
 * What KeyTray's helper will print for an agent, worked out from metadata
 * and the keychain without running it: the masked key, or the masked proxy
 * token and the proxy it is meant for, or why it will fail.
 */
import type { AgentId } from '../../../shared/agents/catalog';
import type { HelperInfo } from '../../../shared/agents/picture';
import { KeyTrayError } from '../../../shared/errors';
import type { HelperTarget } from '../../../shared/helper-command';
import { maskSecret } from '../../../shared/mask';
import type { ProviderId } from '../../../shared/providers';
import { exists } from '../files/exists';
import { listening } from '../proxy/listening';
import { heldToken } from '../proxy/proxy-token';
import type { Vault } from '../vault/vault';

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
  /** The script a plan is about to write: its absence now is no problem. */
  planned?: string,
): Promise<HelperInfo> {
  const binding =
    target.kind === 'key'
      ? target
      : (target.binding ?? (route ? { provider: route.provider } : { provider: 'anthropic' as const }));
  const label = 'label' in binding ? binding.label : undefined;
  const keytray = { provider: binding.provider, label: label ?? '(active)' };
  if (script !== planned && !(await exists(script))) {
    return { masked: null, keytray, problem: `its script ${script} is missing; run \`keytray configure ${agent}\` again` };
  }
  try {
    const key = await vault.show(binding.provider, label);
    const found = { provider: binding.provider, label: key.label };
    const problem = key.state === 'missing' ? `the keychain has no secret for ${binding.provider}/${key.label}` : undefined;
    if (target.kind === 'key') return { masked: key.masked, keytray: found, ...(problem ? { problem } : {}) };
    const token = await vault.existingProxyToken();
    const proxy = route
      ? { url: route.url, running: await listening(route.port) }
      : { url: '(no base URL points at the proxy)', running: false };
    return {
      masked: token ? maskSecret(heldToken(token, target.binding)) : null,
      keytray: found,
      proxy,
      ...(token ? {} : { problem: `KeyTray has no proxy token yet; run \`keytray configure ${agent} --mode proxy\` again` }),
    };
  } catch (error) {
    return { masked: null, keytray, problem: error instanceof KeyTrayError ? error.message : 'KeyTray cannot read its keys' };
  }
}
