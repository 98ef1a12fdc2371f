/**
 * The helper index: the little the key helper script's fast path needs to
 * print a key or the proxy token without starting Node
 * (agents/helper-script.ts). Which store holds the secrets, the proxy's
 * port, each provider's active key and every key's label, one per line;
 * never a secret. It is written beside the metadata after every
 * write of it (metadata-file.ts), so an index older than the metadata is a
 * stale one, and the script then takes the Node path.
 */
import { dirname, join } from 'node:path';
import { DEFAULT_PROXY_PORT, type Metadata } from '../../../shared/metadata';

export const HELPER_INDEX_NAME = 'helper-index';

export function helperIndexPath(metadataPath: string): string {
  return join(dirname(metadataPath), HELPER_INDEX_NAME);
}

/**
 * `store <kind>` and `proxy <port>`, then `active <provider> <label>` and
 * `key <provider> <label>` lines. Provider ids and labels hold no spaces (key-input.ts), so the
 * script splits the lines with `read`.
 */
export function helperIndexText(metadata: Metadata): string {
  const lines = [`store ${metadata.store}`, `proxy ${metadata.proxy?.port ?? DEFAULT_PROXY_PORT}`];
  for (const [provider, state] of Object.entries(metadata.providers)) {
    if (!state) continue;
    if (state.active) lines.push(`active ${provider} ${state.active}`);
    for (const key of state.keys) lines.push(`key ${provider} ${key.label}`);
  }
  return `${lines.join('\n')}\n`;
}
