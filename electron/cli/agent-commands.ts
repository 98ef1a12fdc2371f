/**
 * `keytray configure <agent>` and `keytray status`: wiring each agent to the
 * keychain, and showing which credential each will really use. Every agent
 * comes from the one registry.
 */
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { AGENT_IDS, AGENTS } from '../../shared/agents/catalog';
import type { AgentPicture } from '../../shared/agents/picture';
import { KeyTrayError } from '../../shared/errors';
import { problems } from '../../shared/problems';
import { type AgentIntegration, type AgentPlan, planDiff, planView } from '../core/agents/agent';
import { agentFor, statusReport } from '../core/agents/registry';
import { processSituation, type Situation } from '../core/agents/situation';
import { createServices, type Services } from '../core/services';
import type { Vault } from '../core/vault/vault';
import { JSON_OPTION, parse } from './args';
import { confirm, interactive } from './confirm';
import { printJson, printLines } from './output';
import { statusLines } from './status-text';

/** The agents KeyTray writes settings for (ant takes its key from `keytray exec` only). */
const CONFIGURABLE = AGENT_IDS.filter((id) => AGENTS[id].configurableModes.length > 0);

export const CONFIGURE_USAGE = `keytray configure <${CONFIGURABLE.join('|')}> [--provider <p>] [--label <key>] [--mode helper|proxy] [--scope user|project|local] [--cwd <dir>] [--neutralize-env] [--force] [--dry-run] [--yes] [--undo] [--remove] [--import-key] [--delete-logs] [--json]`;
export const STATUS_USAGE = `keytray status [--agent <${AGENT_IDS.join('|')}>] [--cwd <dir>] [--json]`;

/** The services, with the helper script running this very CLI with this very runtime. */
export function cliServices(vault: Vault): Services {
  return createServices({ runtime: process.execPath, cli: realpathSync(process.argv[1] ?? '') }, vault);
}

export async function configureCommand(vault: Vault, args: string[]): Promise<number> {
  const [id, ...rest] = args;
  const services = cliServices(vault);
  const agent = agentFor(services.agents, id?.startsWith('-') ? undefined : id);
  const { values } = parse(
    rest,
    {
      provider: { type: 'string' },
      label: { type: 'string' },
      mode: { type: 'string' },
      scope: { type: 'string' },
      cwd: { type: 'string' },
      'neutralize-env': { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      undo: { type: 'boolean' },
      remove: { type: 'boolean' },
      'import-key': { type: 'boolean' },
      'delete-logs': { type: 'boolean' },
      force: { type: 'boolean' },
      yes: { type: 'boolean', short: 'y' },
      ...JSON_OPTION,
    },
    CONFIGURE_USAGE,
    { min: 0, max: 0 },
  );
  const { info } = agent;
  const mode = values.mode;
  if (mode !== undefined && mode !== 'helper' && mode !== 'proxy') {
    throw new KeyTrayError('usage', problems.unknownMode(mode));
  }
  if (mode !== undefined && !info.configurableModes.includes(mode)) {
    const exec = info.modes.includes('exec')
      ? `, or give one run the key in its environment: \`keytray exec --provider ${info.providers[0]} -- ${info.command} …\``
      : '';
    throw new KeyTrayError('usage', problems.modeNotConfigurable(info, mode), {
      fix: `Use --mode ${info.configurableModes.join(' or --mode ')}${exec}.`,
    });
  }
  if (values['neutralize-env'] && !info.options.includes('neutralizeEnv')) {
    throw new KeyTrayError('usage', `--neutralize-env is for Claude Code's settings; ${info.label} has no such setting.`);
  }
  const actions = [values.undo, values.remove, values['import-key'], values['delete-logs']].filter(Boolean).length;
  if (actions > 1) throw new KeyTrayError('usage', 'Use one of --undo, --remove, --import-key and --delete-logs at a time.');
  const situation = processSituation(resolve(values.cwd ?? process.cwd()));
  const name = info.id;

  if (values.undo) {
    const { files, after } = await agent.undo(values.scope, situation);
    const paths = files.map((f) => f.path);
    if (values.json) {
      printJson({ undone: true, agent: name, path: paths[0], paths, diff: planDiff({ files }), picture: after });
    } else {
      printLines([
        ...paths.map((p) => `Restored ${p} as it was before KeyTray's last change.`),
        '',
        ...diffLines(planDiff({ files })),
      ]);
    }
    return 0;
  }

  if (values['import-key']) {
    if (!agent.importKey) throw new KeyTrayError('usage', `${info.label} keeps no key of its own for KeyTray to move.`);
    const moved = await agent.importKey(situation, values.label);
    const where = `${moved.key.provider}/${moved.key.label}`;
    const sealed = await sealedBackupsOf(services, { files: [{ path: moved.path, diff: moved.diff }] });
    if (values.json) printJson({ imported: true, agent: name, ...moved });
    else
      printLines([
        `Moved the key in ${moved.path} into the keychain as ${where}, and took it out of the file:`,
        '',
        ...diffLines(moved.diff),
        `Undo the file's change with \`keytray configure ${name} --undo\`.`,
        ...sealedNotice(name, sealed),
      ]);
    return 0;
  }

  if (values['delete-logs']) {
    return deleteLeakedLogs(agent, situation, {
      dryRun: Boolean(values['dry-run']),
      yes: Boolean(values.yes),
      json: Boolean(values.json),
    });
  }

  const plan = values.remove
    ? await agent.planRemove(values.scope, situation)
    : await agent.plan({
        situation,
        ...(values.scope ? { scope: values.scope } : {}),
        ...(values.provider ? { provider: values.provider } : {}),
        ...(values.label ? { label: values.label } : {}),
        ...(mode ? { mode } : {}),
        ...(values['neutralize-env'] ? { neutralizeEnv: true } : {}),
        ...(values.force ? { force: true } : {}),
      });
  const write = !values['dry-run'];
  // On a terminal the diff comes first, and nothing is written without a yes (--yes answers it ahead).
  if (write && !values.yes && !values.json && interactive() && planDiff(plan) !== '') {
    printLines(planLines(plan, false));
    if (!(await confirm(plan.action === 'remove' ? 'Remove these entries?' : 'Write these changes?'))) {
      printLines(['Nothing was written.']);
      return 0;
    }
    await agent.apply(plan);
    printLines([`Written. ${undoHint(plan)}`, ...sealedNotice(name, await sealedBackupsOf(services, plan))]);
    return 0;
  }
  if (write) await agent.apply(plan);
  const sealed = write ? await sealedBackupsOf(services, plan) : [];
  if (values.json) printJson({ ...planJson(plan, write), ...(sealed.length ? { sealedBackups: sealed } : {}) });
  else printLines([...planLines(plan, write), ...(sealed.length ? ['', ...sealedNotice(name, sealed)] : [])]);
  return 0;
}

/**
 * `--delete-logs`: the agent's own log files that hold a credential, named
 * (never shown), then deleted after a yes (or --yes); --dry-run only names them.
 */
async function deleteLeakedLogs(
  agent: AgentIntegration,
  situation: Situation,
  options: { dryRun: boolean; yes: boolean; json: boolean },
): Promise<number> {
  const { info } = agent;
  if (!agent.leakedLogs || !agent.deleteLeakedLogs) {
    throw new KeyTrayError('usage', `--delete-logs is for claude-code-router's logs; ${info.label} has none KeyTray cleans.`);
  }
  const found = await agent.leakedLogs(situation);
  const named = [
    `${found.length} log file(s) of ${info.label} hold a credential from an authorization header (not shown):`,
    ...found.map((p) => `  ${p}`),
  ];
  if (found.length === 0 || options.dryRun) {
    if (options.json) printJson({ agent: info.id, found, deleted: [] });
    else
      printLines(
        found.length === 0
          ? [`No log file of ${info.label} holds a credential.`]
          : [...named, 'Nothing was deleted (--dry-run).'],
      );
    return 0;
  }
  if (!options.yes) {
    if (!interactive() || options.json) {
      throw new KeyTrayError('usage', `${found.length} log file(s) of ${info.label} hold a credential; nothing was deleted.`, {
        fix: `Run \`keytray configure ${info.id} --delete-logs --dry-run\` to see them, then add --yes to delete them.`,
      });
    }
    printLines(named);
    if (!(await confirm('Delete these files?'))) {
      printLines(['Nothing was deleted.']);
      return 0;
    }
  }
  const deleted = await agent.deleteLeakedLogs(situation, found);
  if (options.json) printJson({ agent: info.id, found, deleted });
  else printLines([`Deleted ${deleted.length} log file(s) of ${info.label}:`, ...deleted.map((p) => `  ${p}`)]);
  return 0;
}

function planJson(plan: AgentPlan, written: boolean) {
  const { before: _before, after: _after, ...view } = planView(plan);
  return {
    ...view,
    files: plan.files.map((f) => ({
      path: f.path,
      ...(f.target ? { target: f.target } : {}),
      format: f.format.id,
      diff: f.diff,
      changed: f.diff !== '',
    })),
    ...(plan.command ? { command: plan.command } : {}),
    // Claude Code's settings hold the whole command line; scripts of today read it here.
    ...(plan.agent === 'claude-code' && plan.command ? { apiKeyHelper: plan.command } : {}),
    written,
    warnings: plan.after.warnings,
    picture: plan.after,
  };
}

function planLines(plan: AgentPlan, written: boolean): string[] {
  const lines: string[] = [];
  const changed = plan.files.filter((f) => f.diff !== '');
  const binding = plan.binding;
  const key = binding
    ? `${binding.provider}/${binding.label ?? 'active key'}${binding.mode === 'proxy' ? ' through the KeyTray proxy' : ''}`
    : '';
  if (changed.length === 0) {
    lines.push(
      plan.action === 'remove'
        ? `${plan.bindingPath} holds nothing of KeyTray's; nothing to remove.`
        : `${plan.bindingPath} already uses KeyTray for ${key}; nothing to change.`,
    );
  } else {
    for (const file of changed) {
      // Through a link, the file really written is named too.
      const where = `${file.path} (${plan.scope} settings)${file.target ? `, a link to ${file.target},` : ''}`;
      lines.push(written ? `Updated ${where}:` : `Would change ${where}:`);
      lines.push('', ...diffLines(file.diff));
    }
    if (written) lines.push(undoHint(plan));
  }
  const resolved = plan.before.warnings.filter(
    (w) => !plan.after.warnings.some((a) => a.code === w.code && a.message === w.message),
  );
  for (const w of resolved) lines.push(`resolved: ${w.message}`);
  lines.push('', ...statusLines(plan.after));
  return lines;
}

/** The backups this write just made that held a credential (sealed, kept for undo). */
async function sealedBackupsOf(services: Services, plan: { files: { path: string; diff: string }[] }) {
  const all = await services.writer.backups();
  return plan.files
    .filter((f) => f.diff !== '')
    .flatMap((f) => all.findLast((b) => b.path === f.path) ?? [])
    .filter((b) => b.heldCredential);
}

/** What a write's backup held, said right after the write. */
export function sealedNotice(agent: string, backups: { id: string; path: string; backup: string | null }[]): string[] {
  return backups.map(
    (b) =>
      `The earlier ${b.path} held a credential: its backup ${b.backup} is sealed (its key is in the keychain) and kept for \`keytray configure ${agent} --undo\`. Once you no longer need that: \`keytray backups delete ${b.id}\`.`,
  );
}

function undoHint(plan: AgentPlan): string {
  const scope = plan.agent === 'claude-code' ? ` --scope ${plan.scope}` : '';
  return `Undo with \`keytray configure ${plan.agent}${scope} --undo\`.`;
}

function diffLines(diff: string): string[] {
  return diff === '' ? ['(no change)'] : diff.trimEnd().split('\n');
}

export async function statusCommand(vault: Vault, args: string[]): Promise<number> {
  const { values } = parse(args, { agent: { type: 'string' }, cwd: { type: 'string' }, ...JSON_OPTION }, STATUS_USAGE, {
    min: 0,
    max: 0,
  });
  const services = cliServices(vault);
  const situation = processSituation(resolve(values.cwd ?? process.cwd()));
  if (values.agent !== undefined) {
    // One agent: its picture alone, the shape `keytray status --json` had when Claude Code was the only agent.
    const picture = await agentFor(services.agents, values.agent).picture(situation);
    if (values.json) printJson(picture);
    else printLines(statusLines(picture));
    return 0;
  }
  const report = await statusReport(services.agents, situation);
  if (values.json) printJson(report);
  else printLines(report.agents.flatMap((picture: AgentPicture, i) => [...(i > 0 ? [''] : []), ...statusLines(picture)]));
  return 0;
}
