/**
 * The seam every coding agent plugs into. An integration says where the
 * agent's config lives for a folder, plans what KeyTray would change there
 * (as a diff), applies, undoes and removes it through the one writer, names
 * the files worth watching, and draws the agent's auth picture. The CLI, the
 * IPC table, the tray and the window reach agents only through the registry
 * of these (registry.ts).
 */
import { type AgentId, type AgentInfo, agentTakes, type ConfigurableMode } from '../../../shared/agents/catalog';
import type { AgentPicture } from '../../../shared/agents/picture';
import { KeyTrayError } from '../../../shared/errors';
import type { FormatId } from '../../../shared/formats/file-format';
import type { AgentPlanView } from '../../../shared/ipc';
import type { AgentBinding } from '../../../shared/metadata';
import { problems } from '../../../shared/problems';
import { isProviderId, type ProviderId, providerInfo } from '../../../shared/providers';
import type { SettingsPlan } from '../files/settings-writer';
import type { ImportedKey } from './import-key';
import type { Situation } from './situation';

/** One config file the agent reads, at one scope. */
export interface ConfigFile {
  scope: string;
  path: string;
  format: FormatId;
  /** Whether KeyTray writes it (the others are read for the picture only). */
  writable: boolean;
}

export interface ConfigureRequest {
  situation: Situation;
  /** One of the agent's scopes; its first by default. */
  scope?: string;
  provider?: string;
  label?: string;
  mode?: ConfigurableMode;
  /** Claude Code: cancel credential variables that would shadow the helper. */
  neutralizeEnv?: boolean;
  /** Go ahead where KeyTray would otherwise refuse: another tool's key command replaced, a machine's path in a shared file. */
  force?: boolean;
}

export interface AgentPlan {
  agent: AgentId;
  action: 'configure' | 'remove';
  scope: string;
  /** The binding the files will carry; null when removing. */
  binding: AgentBinding | null;
  /** Every file the plan touches, each with its diff (empty when that file is already as it should be). */
  files: SettingsPlan[];
  /** The file whose path the binding is remembered under. */
  bindingPath: string;
  /** The command the agent will run for its key or token, where there is one. */
  command?: string;
  before: AgentPicture;
  after: AgentPicture;
}

export interface UndoResult {
  files: SettingsPlan[];
  after: AgentPicture;
}

export interface AgentIntegration {
  readonly info: AgentInfo;
  /** The agent's config files for a folder, highest precedence first. */
  configFiles(situation: Situation): ConfigFile[];
  /** Whether the agent's command is on the PATH, and whether KeyTray has configured it. */
  detect(situation: Situation): Promise<{ installed: boolean; configured: boolean }>;
  plan(request: ConfigureRequest): Promise<AgentPlan>;
  /** What removing exactly KeyTray's entries from the scope's files would change. */
  planRemove(scope: string | undefined, situation: Situation): Promise<AgentPlan>;
  apply(plan: AgentPlan): Promise<void>;
  /** Puts the scope's files back as they were before KeyTray's last write, byte for byte. */
  undo(scope: string | undefined, situation: Situation): Promise<UndoResult>;
  /** Files and folders whose change can change the picture. */
  watchPaths(situation: Situation): string[];
  picture(situation: Situation): Promise<AgentPicture>;
  /** Moves a plaintext key the agent keeps in a store of its own into the keychain, where the agent has one. */
  importKey?(situation: Situation, label?: string): Promise<ImportedKey>;
  /** The agent's own log files that hold a credential, where it writes such logs (claude-code-router). */
  leakedLogs?(situation: Situation): Promise<string[]>;
  /** Deletes those of `expected` that still hold one; returns what it deleted. */
  deleteLeakedLogs?(situation: Situation, expected: string[]): Promise<string[]>;
}

/**
 * The agent's writable file at `path` for a folder. Where one file serves two
 * scopes (a project at the home folder, whose settings are the user's), it
 * is the agent's default scope's.
 */
export function writableFileAt(agent: AgentIntegration, situation: Situation, path: string): ConfigFile | undefined {
  const candidates = agent.configFiles(situation).filter((f) => f.path === path && f.writable);
  return candidates.find((f) => f.scope === agent.info.scopes[0]) ?? candidates[0];
}

/** The scope a request names, checked against the agent's; its first when absent. */
export function scopeOf(info: AgentInfo, scope: string | undefined): string {
  const chosen = scope ?? info.scopes[0] ?? 'user';
  if (!info.scopes.includes(chosen)) {
    throw new KeyTrayError('usage', problems.noScope(info, chosen));
  }
  return chosen;
}

/** The plan's diffs, file after file. */
export function planDiff(plan: Pick<AgentPlan, 'files'>): string {
  return plan.files
    .map((f) => f.diff)
    .filter((d) => d !== '')
    .join('\n');
}

/** A plan as the window sees it: paths, masked diffs and pictures, never a file's text. */
export function planView(plan: AgentPlan): AgentPlanView {
  const diff = planDiff(plan);
  return {
    agent: plan.agent,
    action: plan.action,
    scope: plan.scope,
    path: plan.bindingPath,
    binding: plan.binding && publicBinding(plan.binding),
    files: plan.files.map((f) => ({ path: f.path, diff: f.diff, ...(f.target ? { target: f.target } : {}) })),
    diff,
    changed: diff !== '',
    before: plan.before,
    after: plan.after,
  };
}

/** A binding as views show it: the key and the mode, without what KeyTray keeps for remove. */
export function publicBinding(binding: AgentBinding): AgentBinding {
  const { wrote: _wrote, replaced: _replaced, ...shown } = binding;
  return shown;
}

/**
 * The provider an agent is asked to use, checked: known, and one the agent can use in this mode
 * (its own, or one of the user's that speaks its API). `speaks` says, for the refusal, what the
 * agent sends upstream.
 */
export function checkAgentProvider(info: AgentInfo, value: string, mode: ConfigurableMode, speaks: string): ProviderId {
  if (!isProviderId(value)) throw new KeyTrayError('usage', problems.unknownProvider(value));
  if (agentTakes(info, value, mode)) return value;
  const provider = providerInfo(value);
  if (agentTakes(info, value, 'proxy')) {
    throw new KeyTrayError('usage', `${provider.label} takes its key as ${provider.header}, which ${info.label} does not send.`, {
      fix: `Use --mode proxy: the proxy sends the key in ${provider.label}'s header.`,
    });
  }
  throw new KeyTrayError('usage', `${info.label} ${speaks}, so KeyTray cannot give it a "${value}" key.`, {
    fix: `Use --provider ${info.providers.join(' or --provider ')}, or a provider of yours that speaks its API.`,
  });
}
