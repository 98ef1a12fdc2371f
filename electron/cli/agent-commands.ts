/**
 * `keytray configure claude-code` and `keytray status`: wiring Claude Code to
 * the keychain, and showing which credential it will really use.
 */
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { isWritableScope, WRITABLE_SCOPES } from '../../shared/agents/claude-code/scopes';
import { KeyTrayError } from '../../shared/errors';
import { processSituation } from '../core/agents/claude-code/auth-inputs';
import { ClaudeConfigurator, type ConfigurePlan } from '../core/agents/claude-code/configure';
import { SettingsWriter } from '../core/files/settings-writer';
import { configDir, dataDir, metadataPath } from '../core/paths';
import { keychainService } from '../core/vault/keychain-store';
import type { Vault } from '../core/vault/vault';
import { JSON_OPTION, parse } from './args';
import { printJson, printLines } from './output';
import { statusLines } from './status-text';

export const CONFIGURE_USAGE =
  'keytray configure claude-code [--provider <p>] [--label <key>] [--mode helper|proxy] [--scope user|project|local] [--cwd <dir>] [--neutralize-env] [--dry-run] [--undo] [--json]';
export const STATUS_USAGE = 'keytray status [--cwd <dir>] [--json]';

export function configurator(vault: Vault): ClaudeConfigurator {
  const data = dataDir();
  return new ClaudeConfigurator({
    vault,
    writer: new SettingsWriter(data),
    dataDir: data,
    metadataPath: metadataPath(),
    // The helper script runs this very CLI with this very runtime.
    launcher: { runtime: process.execPath, cli: realpathSync(process.argv[1] ?? '') },
    pins: { configDir: configDir(), keychainService: keychainService() },
  });
}

export async function configureCommand(vault: Vault, args: string[]): Promise<number> {
  const [tool, ...rest] = args;
  if (tool !== 'claude-code') {
    throw new KeyTrayError('usage', tool ? `KeyTray cannot configure "${tool}" yet.` : 'Missing the tool to configure.', {
      fix: `Usage: ${CONFIGURE_USAGE}`,
    });
  }
  const { values } = parse(
    rest,
    {
      provider: { type: 'string' },
      label: { type: 'string' },
      mode: { type: 'string' },
      scope: { type: 'string', default: 'user' },
      cwd: { type: 'string' },
      'neutralize-env': { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      undo: { type: 'boolean' },
      ...JSON_OPTION,
    },
    CONFIGURE_USAGE,
    { min: 0, max: 0 },
  );
  const scope = values.scope;
  if (!isWritableScope(scope)) {
    throw new KeyTrayError('usage', `Unknown scope "${scope}": use ${WRITABLE_SCOPES.join(', ')}.`);
  }
  const mode = values.mode;
  if (mode !== undefined && mode !== 'helper' && mode !== 'proxy') {
    throw new KeyTrayError('usage', `Unknown mode "${mode}": use helper or proxy.`);
  }
  const situation = processSituation(resolve(values.cwd ?? process.cwd()));
  const claude = configurator(vault);

  if (values.undo) {
    const { settings, after } = await claude.undo(scope, situation);
    if (values.json) printJson({ undone: true, path: settings.path, diff: settings.diff, picture: after });
    else printLines([`Restored ${settings.path} as it was before KeyTray's last change.`, '', ...diffLines(settings.diff)]);
    return 0;
  }

  const plan = await claude.plan({
    scope,
    situation,
    ...(values.provider ? { provider: values.provider } : {}),
    ...(values.label ? { label: values.label } : {}),
    neutralizeEnv: values['neutralize-env'] ?? false,
    ...(mode ? { mode } : {}),
  });
  const write = !values['dry-run'];
  if (write) await claude.apply(plan);
  if (values.json) printJson(planJson(plan, write));
  else printLines(planLines(plan, write));
  return 0;
}

function planJson(plan: ConfigurePlan, written: boolean) {
  return {
    scope: plan.scope,
    path: plan.settings.path,
    binding: plan.binding,
    apiKeyHelper: plan.command,
    diff: plan.settings.diff,
    changed: plan.settings.diff !== '',
    written,
    warnings: plan.after.warnings,
    picture: plan.after,
  };
}

function planLines(plan: ConfigurePlan, written: boolean): string[] {
  const key = `${plan.binding.provider}/${plan.binding.label ?? 'active key'}${plan.binding.mode === 'proxy' ? ' through the KeyTray proxy' : ''}`;
  const lines: string[] = [];
  if (plan.settings.diff === '') lines.push(`${plan.settings.path} already uses KeyTray's helper for ${key}; nothing to change.`);
  else {
    lines.push(
      written
        ? `Updated ${plan.settings.path} (${plan.scope} settings):`
        : `Would change ${plan.settings.path} (${plan.scope} settings):`,
    );
    lines.push('', ...diffLines(plan.settings.diff));
    if (written) lines.push(`Undo with \`keytray configure claude-code --scope ${plan.scope} --undo\`.`);
  }
  const resolved = plan.before.warnings.filter(
    (w) => !plan.after.warnings.some((a) => a.code === w.code && a.message === w.message),
  );
  for (const w of resolved) lines.push(`resolved: ${w.message}`);
  lines.push('', ...statusLines(plan.after));
  return lines;
}

function diffLines(diff: string): string[] {
  return diff === '' ? ['(no change)'] : diff.trimEnd().split('\n');
}

export async function statusCommand(vault: Vault, args: string[]): Promise<number> {
  const { values } = parse(args, { cwd: { type: 'string' }, ...JSON_OPTION }, STATUS_USAGE, { min: 0, max: 0 });
  const picture = await configurator(vault).picture(processSituation(resolve(values.cwd ?? process.cwd())));
  if (values.json) printJson(picture);
  else printLines(statusLines(picture));
  return 0;
}
