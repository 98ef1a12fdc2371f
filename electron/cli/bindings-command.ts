/**
 * `keytray bindings`: every agent config file KeyTray bound to a key, with
 * what it is bound to, and the stale ones (agents/bindings.ts says which).
 */

import { resolve } from 'node:path';
import { AGENTS } from '../../shared/agents/catalog';
import { bindingRows, forgetBinding } from '../core/agents/bindings';
import { agentFor } from '../core/agents/registry';
import { metadataPath } from '../core/paths';
import type { Vault } from '../core/vault/vault';
import { cliServices } from './agent-commands';
import { JSON_OPTION, parse } from './args';
import { printJson, printLines } from './output';

export const BINDINGS_USAGE = `keytray bindings [--json]
       keytray bindings forget <agent> <path> [--json]`;

export async function bindingsCommand(vault: Vault, args: string[]): Promise<number> {
  if (args[0] === 'forget') return forget(vault, args.slice(1));
  const { values } = parse(args, JSON_OPTION, 'keytray bindings [--json]', { min: 0, max: 0 });
  const rows = bindingRows(await vault.readMetadata());
  if (values.json) {
    printJson({ bindings: rows });
    return 0;
  }
  if (rows.length === 0) {
    printLines(['KeyTray has configured no agent yet: `keytray configure <agent>` does.']);
    return 0;
  }
  printLines(
    rows.map((r) => {
      const key = `${r.binding.provider}/${r.binding.label ?? '(active)'}`;
      const mode = r.binding.mode ?? 'helper';
      return `${AGENTS[r.agent].label.padEnd(12)} ${key.padEnd(24)} ${mode.padEnd(7)} ${r.path}${r.stale ? `  — stale: ${r.stale}` : ''}`;
    }),
  );
  return 0;
}

/** Forgets the binding of a file that is gone. */
async function forget(vault: Vault, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, JSON_OPTION, 'keytray bindings forget <agent> <path> [--json]', {
    min: 2,
    max: 2,
  });
  const [id, path] = positionals as [string, string];
  const agent = agentFor(cliServices(vault).agents, id).info.id;
  await forgetBinding(metadataPath(), await vault.readMetadata(), agent, resolve(path));
  if (values.json) printJson({ forgotten: true, agent, path: resolve(path) });
  else printLines([`Forgot ${AGENTS[agent].label}'s binding of ${resolve(path)}.`]);
  return 0;
}
