/**
 * `keytray store` and `keytray doctor`: where the secrets live, and whether
 * the metadata and the store agree.
 */
import { exitCodeFor, KeyTrayError } from '../../shared/errors';
import type { Vault } from '../core/vault/vault';
import { JSON_OPTION, parse } from './args';
import { printJson, printLines, warn } from './output';

export const STORE_USAGE = `keytray store [--json]
       keytray store use <keychain|file> [--json]`;

export const DOCTOR_USAGE = 'keytray doctor [--fix] [--json]';

export async function storeCommand(vault: Vault, args: string[]): Promise<number> {
  if (args[0] === 'use') {
    const { values, positionals } = parse(args.slice(1), JSON_OPTION, 'keytray store use <keychain|file> [--json]', {
      min: 1,
      max: 1,
    });
    const kind = positionals[0];
    if (kind !== 'keychain' && kind !== 'file') {
      throw new KeyTrayError('usage', `Unknown store "${kind}": use "keychain" or "file".`);
    }
    const result = await vault.switchStore(kind);
    if (kind === 'file') warn('keys are now kept in a plaintext file. Anyone who can read it can use them.');
    if (values.json) printJson(result);
    else printLines([`Keys are kept in the ${result.store.description}; ${result.moved} moved.`]);
    return 0;
  }
  const { values } = parse(args, JSON_OPTION, STORE_USAGE, { min: 0, max: 0 });
  const meta = await vault.readMetadata();
  const store = vault.store(meta.store);
  const view = { kind: store.kind, description: store.description };
  if (values.json) printJson({ store: view });
  else printLines([`Keys are kept in the ${view.description}.`]);
  return 0;
}

export async function doctorCommand(vault: Vault, args: string[]): Promise<number> {
  const { values } = parse(args, { fix: { type: 'boolean' }, ...JSON_OPTION }, DOCTOR_USAGE, { min: 0, max: 0 });
  const { fixed, remaining } = values.fix ? await vault.repair() : { fixed: [], remaining: await vault.check() };
  if (values.json) printJson({ fixed, remaining });
  else {
    // A restored metadata file says where the damaged one went, and what (if anything) is left to do.
    const lines = fixed.flatMap((d) => [`fixed: ${d.message}`, ...(d.kind === 'damaged-metadata' ? [`  ${d.fix}`] : [])]);
    for (const d of remaining) lines.push(`! ${d.message}`, `  ${d.fix}`);
    if (lines.length === 0) lines.push('Metadata and store agree.');
    printLines(lines);
  }
  return remaining.length > 0 ? exitCodeFor('inconsistent') : 0;
}
