/**
 * `keytray backups`: the earlier versions KeyTray keeps of every file it
 * wrote, so that `--undo` can put them back; those that held a credential
 * are sealed (AES-256-GCM, its key in the keychain) and named as such.
 * `keytray backups delete` removes them, and the undo they allowed.
 */
import { KeyTrayError } from '../../shared/errors';
import type { Vault } from '../core/vault/vault';
import { cliServices } from './agent-commands';
import { JSON_OPTION, parse } from './args';
import { printJson, printLines } from './output';

export const BACKUPS_USAGE = `keytray backups [--json]
       keytray backups delete <id>... | --sealed [--json]`;

export async function backupsCommand(vault: Vault, args: string[]): Promise<number> {
  const { writer } = cliServices(vault);
  if (args[0] === 'delete') {
    const { values, positionals } = parse(
      args.slice(1),
      { sealed: { type: 'boolean' }, ...JSON_OPTION },
      'keytray backups delete <id>... | --sealed [--json]',
      { min: 0, max: 100 },
    );
    if (positionals.length === 0 && !values.sealed) {
      throw new KeyTrayError('usage', 'Name the backups to delete, or pass --sealed for every one that held a credential.');
    }
    const deleted = await writer.deleteBackups({ ids: positionals, ...(values.sealed ? { sealed: true } : {}) });
    if (values.json) printJson({ deleted });
    else
      printLines(
        deleted.length
          ? deleted.map((b) => `Deleted ${b.backup ?? 'the record'} (${b.path}); its --undo is gone.`)
          : ['No backup held a credential.'],
      );
    return 0;
  }
  const { values } = parse(args, JSON_OPTION, 'keytray backups [--json]', { min: 0, max: 0 });
  const backups = await writer.backups();
  if (values.json) printJson({ backups });
  else if (backups.length === 0) printLines(['KeyTray keeps no backup: it has written no file it can undo.']);
  else
    printLines([
      ...backups.map(
        (b) =>
          `${b.id}  ${b.at}  ${b.path}${b.backup ? '' : '  (created by KeyTray: undo removes it)'}${b.heldCredential ? '  — held a credential (sealed)' : ''}`,
      ),
      ...(backups.some((b) => b.heldCredential)
        ? ['', 'Backups that held a credential: `keytray backups delete --sealed` once you no longer need their --undo.']
        : []),
    ]);
  return 0;
}
