/**
 * `keytray import`: lists every plaintext key KeyTray finds for this user
 * (masked, with whether KeyTray already holds it), moves the chosen ones
 * into the keychain with `--apply`, and puts back what the last `--apply`
 * changed with `--undo`.
 */
import { resolve } from 'node:path';
import { KeyTrayError } from '../../shared/errors';
import type { MovedKey, PlaintextKey } from '../../shared/import/plaintext-key';
import { processSituation } from '../core/agents/situation';
import { applyImport, type ImportPick, scanImport, undoImport } from '../core/import/import-keys';
import type { Vault } from '../core/vault/vault';
import { cliServices } from './agent-commands';
import { JSON_OPTION, parse } from './args';
import { printJson, printLines } from './output';

export const IMPORT_USAGE = `keytray import [--cwd <dir>] [--json]
       keytray import --apply [--pick <id>[:<provider>]]... [--cwd <dir>] [--json]
       keytray import --undo [--json]`;

export async function importCommand(vault: Vault, args: string[]): Promise<number> {
  const { values } = parse(
    args,
    {
      apply: { type: 'boolean' },
      pick: { type: 'string', multiple: true },
      undo: { type: 'boolean' },
      cwd: { type: 'string' },
      ...JSON_OPTION,
    },
    IMPORT_USAGE,
    { min: 0, max: 0 },
  );
  if (values.apply && values.undo) throw new KeyTrayError('usage', 'Use --apply or --undo, not both.');
  if (values.pick && !values.apply) throw new KeyTrayError('usage', '--pick chooses keys for --apply.', { fix: 'Add --apply.' });
  const services = cliServices(vault);
  const situation = processSituation(values.cwd ? resolve(values.cwd) : undefined);

  if (values.undo) {
    const { paths } = await undoImport(services, situation);
    if (values.json) printJson({ restored: paths });
    else
      printLines([...paths.map((p) => `Put back ${p}.`), 'The keys stay in the keychain (`keytray keys remove` takes one out).']);
    return 0;
  }

  if (values.apply) {
    const picks: ImportPick[] | 'all' = values.pick ? values.pick.flatMap((p) => p.split(',')).map(pickOf) : 'all';
    const { moved, skipped } = await applyImport(services, situation, picks);
    if (values.json) printJson({ moved, skipped });
    else printLines(movedLines(moved, skipped));
    return moved.some((m) => m.error) ? 5 : 0;
  }

  const scan = await scanImport(services, situation);
  if (values.json) printJson(scan);
  else printLines(scanLines(scan.keys, scan.unreadable));
  return 0;
}

function pickOf(text: string): ImportPick {
  const [id = '', provider] = text.split(':');
  if (!/^[0-9a-f]{8}$/.test(id)) {
    throw new KeyTrayError(
      'usage',
      `"${text.slice(0, 32)}" is not a key id: ids are the 8 characters \`keytray import\` shows.`,
      {
        fix: 'Write --pick <id> or --pick <id>:<provider>.',
      },
    );
  }
  return { id, ...(provider !== undefined ? { provider } : {}) };
}

function where(key: PlaintextKey): string {
  return key.line !== undefined ? `${key.path}:${key.line}` : key.row ? `${key.path} (${key.row})` : key.path;
}

function scanLines(keys: PlaintextKey[], unreadable: { path: string; problem: string }[]): string[] {
  const lines =
    keys.length === 0
      ? ['No plaintext key found where KeyTray looks (shell startup files, .env files, agents’ settings and stores, CC Switch).']
      : [
          `${keys.length} ${keys.length === 1 ? 'key' : 'keys'} in plaintext on this machine:`,
          ...keys.flatMap((k) => [
            `  ${k.id}  ${where(k)}  ${k.variable}  ${k.provider ?? 'unknown provider'}  ${k.masked}${k.held ? `  (KeyTray holds it: ${k.held.provider}/${k.held.label})` : ''}`,
            `            --apply: ${k.provider ? k.action : `skipped unless picked with its provider (--pick ${k.id}:<provider>).`}`,
          ]),
          '',
          'Move them into the keychain: keytray import --apply (or --apply --pick <id>… for some).',
        ];
  return [...lines, ...unreadable.map((u) => `! ${u.path}: ${u.problem}`)];
}

function movedLines(moved: MovedKey[], skipped: PlaintextKey[]): string[] {
  if (moved.length === 0) return ['Nothing to move.', ...skippedLines(skipped)];
  return [
    ...moved.flatMap((m) =>
      m.error
        ? [`! ${m.id}  ${m.path}: ${m.error.message}`, ...(m.error.fix ? [`    ${m.error.fix}`] : [])]
        : [
            `${m.id}  ${m.path} → ${m.key?.provider}/${m.key?.label}: ${m.done ?? ''}`,
            ...(m.todo ? [`    still to do: ${m.todo}`] : []),
          ],
    ),
    ...skippedLines(skipped),
    '',
    'Backups (sealed, 0600) are listed by `keytray backups`; `keytray import --undo` puts the files back.',
  ];
}

function skippedLines(skipped: PlaintextKey[]): string[] {
  return skipped.map(
    (k) => `skipped ${k.id}  ${where(k)}  ${k.variable}${k.provider ? '' : ' (unknown provider: --pick it with one)'}`,
  );
}
