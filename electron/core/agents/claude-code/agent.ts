/**
 * Claude Code behind the agent seam: its settings files by scope, its
 * configurator (apiKeyHelper, proxy and AWS modes), and its auth picture.
 */
import { join } from 'node:path';
import { AGENTS } from '../../../../shared/agents/catalog';
import {
  claudeConfigDir,
  isWritableScope,
  SETTINGS_SCOPES,
  settingsPath,
  type WritableScope,
} from '../../../../shared/agents/claude-code/scopes';
import { KeyTrayError } from '../../../../shared/errors';
import {
  type AgentIntegration,
  type AgentPlan,
  type ConfigFile,
  type ConfigureRequest,
  scopeOf,
  type UndoResult,
} from '../agent';
import { detectAgent } from '../bindings';
import type { Situation } from '../situation';
import { ClaudeConfigurator, type ConfiguratorDeps } from './configure';

const info = AGENTS['claude-code'];

export class ClaudeCodeAgent implements AgentIntegration {
  readonly info = info;
  private readonly configurator: ClaudeConfigurator;

  constructor(private readonly deps: ConfiguratorDeps) {
    this.configurator = new ClaudeConfigurator(deps);
  }

  configFiles(situation: Situation): ConfigFile[] {
    return SETTINGS_SCOPES.map((scope) => ({
      scope,
      path: settingsPath(scope, situation),
      format: 'json' as const,
      writable: isWritableScope(scope),
    }));
  }

  detect(situation: Situation): Promise<{ installed: boolean; configured: boolean }> {
    return detectAgent(info, this.deps.vault, situation);
  }

  async plan(request: ConfigureRequest): Promise<AgentPlan> {
    const scope = writableScope(request.scope);
    const plan = await this.configurator.plan({
      scope,
      situation: request.situation,
      ...(request.provider ? { provider: request.provider } : {}),
      ...(request.label ? { label: request.label } : {}),
      ...(request.mode ? { mode: request.mode } : {}),
      neutralizeEnv: request.neutralizeEnv ?? false,
      ...(request.force ? { force: true } : {}),
    });
    return {
      agent: 'claude-code',
      action: 'configure',
      scope,
      binding: plan.binding,
      files: [plan.settings],
      bindingPath: plan.settings.path,
      command: plan.command,
      before: plan.before,
      after: plan.after,
    };
  }

  async planRemove(scope: string | undefined, situation: Situation): Promise<AgentPlan> {
    const writable = writableScope(scope);
    const { settings, before, after } = await this.configurator.planRemove(writable, situation);
    return {
      agent: 'claude-code',
      action: 'remove',
      scope: writable,
      binding: null,
      files: [settings],
      bindingPath: settings.path,
      before,
      after,
    };
  }

  async apply(plan: AgentPlan): Promise<void> {
    const [settings] = plan.files;
    if (!settings) return;
    if (plan.action === 'remove') return this.configurator.applyRemove(settings);
    if (!plan.binding) throw new KeyTrayError('internal', 'A Claude Code plan without a binding.');
    await this.configurator.apply({ binding: plan.binding, settings });
  }

  async undo(scope: string | undefined, situation: Situation): Promise<UndoResult> {
    const { settings, after } = await this.configurator.undo(writableScope(scope), situation);
    return { files: [settings], after };
  }

  watchPaths(situation: Situation): string[] {
    return [
      ...this.configFiles(situation).map((f) => f.path),
      // The OAuth login and the Console key /login saves.
      claudeConfigDir(situation),
      join(situation.home, '.claude.json'),
    ];
  }

  picture(situation: Situation) {
    return this.configurator.picture(situation);
  }
}

function writableScope(scope: string | undefined): WritableScope {
  const chosen = scopeOf(info, scope);
  if (!isWritableScope(chosen)) throw new KeyTrayError('usage', `Claude Code's ${chosen} settings are not KeyTray's to write.`);
  return chosen;
}
