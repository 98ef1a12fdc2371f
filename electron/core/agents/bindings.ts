/**
 * What every integration does the same way once a plan is made: write its
 * files through the one writer, remember (or forget) the binding per agent
 * and per file, and undo file by file.
 */
import type { AgentId, AgentInfo } from '../../../shared/agents/catalog';
import { KeyTrayError } from '../../../shared/errors';
import type { AgentBinding, Metadata } from '../../../shared/metadata';
import { FORMATS } from '../files/formats';
import type { SettingsPlan, SettingsWriter } from '../files/settings-writer';
import { updateMetadata } from '../vault/metadata-file';
import type { Vault } from '../vault/vault';
import type { AgentPlan, ConfigFile } from './agent';
import { commandOnPath } from './command-on-path';
import type { Situation } from './situation';

export function bindingOf(meta: Metadata, agent: AgentId, path: string): AgentBinding | undefined {
  return meta.bindings?.[agent]?.[path];
}

/** Whether the agent's command is on the PATH, and whether KeyTray has configured any of its files. */
export async function detectAgent(
  info: AgentInfo,
  vault: Vault,
  situation: Situation,
): Promise<{ installed: boolean; configured: boolean }> {
  const meta = await vault.readMetadata();
  return { installed: await commandOnPath(info.command, situation), configured: hasBindings(meta, info.id) };
}

/** Whether KeyTray has configured any of the agent's files. */
export function hasBindings(meta: Metadata, agent: AgentId): boolean {
  return Object.keys(meta.bindings?.[agent] ?? {}).length > 0;
}

/** Records the binding of one file (null forgets it). */
export async function rememberBinding(
  metadataPath: string,
  agent: AgentId,
  path: string,
  binding: AgentBinding | null,
): Promise<void> {
  await updateMetadata(metadataPath, (meta) => {
    const { [path]: _previous, ...others } = meta.bindings?.[agent] ?? {};
    const files = binding ? { ...others, [path]: binding } : others;
    return { next: { ...meta, bindings: { ...meta.bindings, [agent]: files } }, result: undefined };
  });
}

export interface AgentFilesDeps {
  writer: SettingsWriter;
  metadataPath: string;
}

/** Writes a plan's files, then remembers its binding (or, for a removal, forgets it). */
export async function applyAgentPlan(deps: AgentFilesDeps, plan: AgentPlan): Promise<void> {
  for (const file of plan.files) await deps.writer.apply(file);
  await rememberBinding(deps.metadataPath, plan.agent, plan.bindingPath, plan.action === 'remove' ? null : plan.binding);
}

/**
 * Undoes KeyTray's last write of each of `files` that has one. The binding
 * goes when no KeyTray write of its file is left to undo.
 */
export async function undoAgentFiles(
  deps: AgentFilesDeps,
  agent: AgentId,
  label: string,
  files: ConfigFile[],
  bindingPath: string,
): Promise<SettingsPlan[]> {
  const undoable: ConfigFile[] = [];
  for (const file of files) if (await deps.writer.canUndo(file.path)) undoable.push(file);
  if (undoable.length === 0) {
    throw new KeyTrayError(
      'not-found',
      `KeyTray has not changed ${label}'s ${files.map((f) => f.path).join(' or ')}, so there is nothing to undo.`,
    );
  }
  const undone: SettingsPlan[] = [];
  for (const file of undoable)
    undone.push(await deps.writer.undo(file.path, FORMATS[file.format], `keytray configure ${agent} --remove`));
  if (!(await deps.writer.canUndo(bindingPath))) await rememberBinding(deps.metadataPath, agent, bindingPath, null);
  return undone;
}
