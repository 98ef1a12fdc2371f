/**
 * When something a configuration names changes (the proxy's port, a key's
 * label), every file KeyTray bound is planned again through its own agent
 * and rewritten, so nothing is left pointing at what is gone. A file that
 * cannot be rewritten is reported with its reason; the others still move.
 */
import { dirname } from 'node:path';
import type { AgentId } from '../../../shared/agents/catalog';
import { KeyTrayError } from '../../../shared/errors';
import type { RewrittenFile } from '../../../shared/ipc';
import type { AgentBinding, Metadata } from '../../../shared/metadata';
import type { KeyView } from '../../../shared/vault-types';
import { type ProxyIdentity, proxyIdentity } from '../proxy/identity';
import type { Vault } from '../vault/vault';
import { planDiff, writableFileAt } from './agent';
import type { AgentRegistry } from './registry';
import { processSituation, type Situation } from './situation';

export interface BoundFile {
  agent: AgentId;
  path: string;
  binding: AgentBinding;
}

/** Every binding that `keep` accepts, as agent, file and binding. */
export function boundFiles(meta: Metadata, keep: (binding: AgentBinding) => boolean): BoundFile[] {
  return Object.entries(meta.bindings ?? {}).flatMap(([agent, files]) =>
    Object.entries(files ?? {})
      .filter(([, binding]) => keep(binding))
      .map(([path, binding]) => ({ agent: agent as AgentId, path, binding })),
  );
}

export const inProxyMode = (binding: AgentBinding) => binding.mode === 'proxy';

/** Plans each bound file again from its binding, as configure would, and writes it. */
export async function rewriteBound(
  agents: AgentRegistry,
  targets: BoundFile[],
  situationFor: (cwd: string) => Situation = processSituation,
): Promise<RewrittenFile[]> {
  const files: RewrittenFile[] = [];
  for (const { agent: id, path, binding } of targets) {
    const agent = agents[id];
    try {
      // A project's file sits in <folder>/.<agent>/; a user's file ignores the folder.
      const situation = situationFor(dirname(dirname(path)));
      const file = writableFileAt(agent, situation, path);
      if (!file)
        throw new KeyTrayError('not-found', `KeyTray can no longer tell which of ${agent.info.label}'s scopes ${path} is.`);
      const plan = await agent.plan({
        situation,
        scope: file.scope,
        provider: binding.provider,
        ...(binding.label ? { label: binding.label } : {}),
        ...(binding.mode ? { mode: binding.mode } : {}),
      });
      await agent.apply(plan);
      files.push({ agent: id, path, diff: planDiff(plan) });
    } catch (error) {
      const e = error instanceof KeyTrayError ? error : new KeyTrayError('internal', String(error));
      files.push({ agent: id, path, diff: '', error: { message: e.message, ...(e.fix ? { fix: e.fix } : {}) } });
    }
  }
  return files;
}

/** Moves the proxy to another port for good, with every proxy-mode configuration. */
export async function moveProxyPort(
  agents: AgentRegistry,
  vault: Vault,
  port: number,
): Promise<{ from: number; to: number; files: RewrittenFile[] }> {
  const from = await vault.proxyPort();
  await vault.setProxyPort(port);
  const files = await rewriteBound(agents, boundFiles(await vault.readMetadata(), inProxyMode));
  return { from, to: port, files };
}

/** Renames a key, and carries every configuration bound to it by label over to the new label. */
export async function renameKey(
  agents: AgentRegistry,
  vault: Vault,
  provider: string,
  from: string,
  to: string,
): Promise<{ key: KeyView; files: RewrittenFile[] }> {
  const key = await vault.rename(provider, from, to);
  const bound = boundFiles(await vault.readMetadata(), (b) => b.provider === key.provider && b.label === key.label);
  return { key, files: from === to ? [] : await rewriteBound(agents, bound) };
}

/**
 * After a provider's settings or definition changed (base URL, model names),
 * every file configured with one of its keys is planned again and rewritten,
 * so that none still sends to the old base URL or asks for the old models.
 */
export async function reconfigureProvider(agents: AgentRegistry, vault: Vault, provider: string): Promise<RewrittenFile[]> {
  const files = await rewriteBound(
    agents,
    boundFiles(await vault.readMetadata(), (b) => b.provider === provider),
  );
  // A file the new settings leave as it was is not news.
  return files.filter((f) => f.error !== undefined || f.diff !== '');
}

/**
 * Replaces the install's proxy token, so every token derived from it changes
 * too. Helpers print the new one from their next run; the files that hold a
 * route token (Gemini CLI's .env) are rewritten; a running proxy re-reads it
 * within a beat, which this waits for, so the old tokens are refused once it
 * returns.
 */
export async function rotateProxyToken(
  agents: AgentRegistry,
  vault: Vault,
): Promise<{ files: RewrittenFile[]; proxy: ProxyIdentity }> {
  await vault.rotateProxyToken();
  const files = await rewriteBound(
    agents,
    boundFiles(await vault.readMetadata(), (b) => b.tokenId !== undefined),
  );
  const token = await vault.existingProxyToken();
  const port = await vault.proxyPort();
  let proxy = await proxyIdentity(port, token);
  // A proxy that answers but not yet to the new token is KeyTray's, still on the old one: a beat at most.
  for (let tries = 0; proxy === 'other' && tries < 30; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    proxy = await proxyIdentity(port, token);
  }
  return { files, proxy };
}
