/**
 * Moving the proxy to another port for good: the stored port changes, and
 * every configuration KeyTray wrote in proxy mode is planned again through
 * its own agent, so nothing is left pointing at the old port.
 */
import { dirname } from 'node:path';
import type { AgentId } from '../../../shared/agents/catalog';
import { KeyTrayError } from '../../../shared/errors';
import type { AgentBinding } from '../../../shared/metadata';
import type { Vault } from '../vault/vault';
import { planDiff } from './agent';
import type { AgentRegistry } from './registry';
import { processSituation, type Situation } from './situation';

export interface RepointedFile {
  agent: AgentId;
  path: string;
  /** The change made (masked), empty when the file already pointed at the port. */
  diff: string;
  /** Why this configuration could not be moved, and what to do. */
  error?: { message: string; fix?: string };
}

export interface PortMove {
  from: number;
  to: number;
  files: RepointedFile[];
}

/** Every proxy-mode binding, as agent, file and binding. */
export function proxyBindings(bindings: Partial<Record<AgentId, Record<string, AgentBinding>>> | undefined) {
  return Object.entries(bindings ?? {}).flatMap(([agent, files]) =>
    Object.entries(files ?? {})
      .filter(([, binding]) => binding.mode === 'proxy')
      .map(([path, binding]) => ({ agent: agent as AgentId, path, binding })),
  );
}

export async function moveProxyPort(
  agents: AgentRegistry,
  vault: Vault,
  port: number,
  situationFor: (cwd: string) => Situation = processSituation,
): Promise<PortMove> {
  const from = await vault.proxyPort();
  await vault.setProxyPort(port);
  const files: RepointedFile[] = [];
  for (const { agent: id, path, binding } of proxyBindings((await vault.readMetadata()).bindings)) {
    const agent = agents[id];
    try {
      // A project's file sits in <folder>/.<agent>/; a user's file ignores the folder.
      const situation = situationFor(dirname(dirname(path)));
      // At home a project's file and the user's are one file: the user's scope, the default, is meant.
      const candidates = agent.configFiles(situation).filter((f) => f.path === path && f.writable);
      const file = candidates.find((f) => f.scope === agent.info.scopes[0]) ?? candidates[0];
      if (!file)
        throw new KeyTrayError('not-found', `KeyTray can no longer tell which of ${agent.info.label}'s scopes ${path} is.`);
      const plan = await agent.plan({
        situation,
        scope: file.scope,
        provider: binding.provider,
        ...(binding.label ? { label: binding.label } : {}),
        mode: 'proxy',
      });
      await agent.apply(plan);
      files.push({ agent: id, path, diff: planDiff(plan) });
    } catch (error) {
      const e = error instanceof KeyTrayError ? error : new KeyTrayError('internal', String(error));
      files.push({ agent: id, path, diff: '', error: { message: e.message, ...(e.fix ? { fix: e.fix } : {}) } });
    }
  }
  return { from, to: port, files };
}
