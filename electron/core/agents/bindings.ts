/**
 * What every integration does the same way once a plan is made: write its
 * files through the one writer, remember (or forget) the binding per agent
 * and per file, and undo file by file.
 */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AgentId, AgentInfo } from '../../../shared/agents/catalog';
import type { AgentPicture } from '../../../shared/agents/picture';
import { KeyTrayError } from '../../../shared/errors';
import type { BindingRow } from '../../../shared/ipc';
import type { AgentBinding, Metadata } from '../../../shared/metadata';
import { FORMATS } from '../files/formats';
import type { SettingsPlan, SettingsWriter } from '../files/settings-writer';
import { updateMetadata } from '../vault/metadata-file';
import type { Vault } from '../vault/vault';
import { type AgentPlan, type ConfigFile, publicBinding } from './agent';
import type { AgentDeps } from './agent-deps';
import { commandOnPath } from './command-on-path';
import { ensureHelperScript } from './helper-script';
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
 * Applies a plan whose files name KeyTray's helper script (the agents with a
 * key command, or a plugin that runs one): the proxy token exists before a
 * proxy-mode file relies on it, and the script before a file points at it.
 */
export async function applyHelperPlan(deps: AgentDeps, plan: AgentPlan): Promise<void> {
  if (plan.binding?.mode === 'proxy') await deps.vault.proxyToken();
  if (plan.action === 'configure') await ensureHelperScript(deps.dataDir, deps.launcher, deps.pins);
  await applyAgentPlan(deps, plan);
}

/**
 * A plan of one file, with the agent's picture before it and after it (the
 * picture of the text the plan leaves, with the helper command it will write).
 */
export async function oneFilePlan(
  agent: AgentId,
  action: AgentPlan['action'],
  scope: string,
  binding: AgentBinding | null,
  settings: SettingsPlan,
  pictureOf: (text: string | null, command?: string) => Promise<AgentPicture>,
  command?: string,
): Promise<AgentPlan> {
  const [before, after] = await Promise.all([pictureOf(settings.before), pictureOf(settings.after, command)]);
  return {
    agent,
    action,
    scope,
    binding,
    files: [settings],
    bindingPath: settings.path,
    ...(command ? { command } : {}),
    before,
    after,
  };
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

/**
 * Every bound file, with what it is bound to, and why it no longer works
 * when it does not: its folder moved or gone, the file deleted, the key removed.
 */
export function bindingRows(meta: Metadata, exists: (path: string) => boolean = existsSync): BindingRow[] {
  const rows: BindingRow[] = [];
  for (const [agent, files] of Object.entries(meta.bindings ?? {}) as [AgentId, Record<string, AgentBinding>][]) {
    for (const [path, binding] of Object.entries(files)) {
      const keys = meta.providers[binding.provider]?.keys ?? [];
      const stale = !exists(dirname(dirname(path)))
        ? 'its folder moved or is gone'
        : !exists(path)
          ? 'the file is gone'
          : binding.label !== undefined && !keys.some((k) => k.label === binding.label)
            ? `the key ${binding.provider}/${binding.label} is gone`
            : keys.length === 0
              ? `there is no ${binding.provider} key`
              : undefined;
      rows.push({ agent, path, binding: publicBinding(binding), ...(stale ? { stale } : {}) });
    }
  }
  return rows;
}

/**
 * Forgets the binding of a file that is gone (its folder moved or deleted).
 * A file that is still there keeps its binding: `configure --remove` takes
 * KeyTray out of it, and needs the binding to put back what it replaced.
 */
export async function forgetBinding(metadataPath: string, meta: Metadata, agent: AgentId, path: string): Promise<void> {
  const row = bindingRows(meta).find((r) => r.agent === agent && r.path === path);
  if (!row)
    throw new KeyTrayError('not-found', `KeyTray has no binding of ${path}.`, { fix: 'See them with `keytray bindings`.' });
  if (existsSync(path)) {
    throw new KeyTrayError('usage', `${path} is still there, so KeyTray keeps its binding.`, {
      fix: `Take KeyTray out of it with \`keytray configure ${agent} --remove\` from its folder.`,
    });
  }
  await rememberBinding(metadataPath, agent, path, null);
}
