/**
 * `keytray bindings`: every agent config file KeyTray bound to a key, with
 * what it is bound to, and the stale ones: a folder moved or gone, a file
 * deleted, a key removed.
 */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { AGENTS, type AgentId } from '../../shared/agents/catalog';
import type { AgentBinding, Metadata } from '../../shared/metadata';
import { publicBinding } from '../core/agents/agent';
import type { Vault } from '../core/vault/vault';
import { JSON_OPTION, parse } from './args';
import { printJson, printLines } from './output';

export const BINDINGS_USAGE = 'keytray bindings [--json]';

export interface BindingRow {
  agent: AgentId;
  path: string;
  binding: AgentBinding;
  /** Why it no longer works, when it does not. */
  stale?: string;
}

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

export async function bindingsCommand(vault: Vault, args: string[]): Promise<number> {
  const { values } = parse(args, JSON_OPTION, BINDINGS_USAGE, { min: 0, max: 0 });
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
