/**
 * Looks for keys in OpenCode's own log files and database: OpenCode writes a
 * failed request's error text there, and an upstream that echoes the key
 * puts it on disk. Key-shaped strings are fingerprinted and matched against
 * the fingerprints KeyTray keeps in its metadata: no key is read out of the
 * keychain, and none found is kept, shown or returned.
 */
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { OpenCodeLeak } from '../../../../shared/agents/opencode/picture';
import type { Metadata } from '../../../../shared/metadata';
import { fingerprint } from '../../vault/vault';

/** Anthropic, OpenAI and OpenRouter keys, and KeyTray's proxy tokens. */
const KEY_SHAPE = /(?:sk-|ktp_)[A-Za-z0-9_-]{20,}/g;
const CHUNK = 1 << 20;
/** Enough overlap that a key split across two chunks is seen whole in one. */
const OVERLAP = 512;
/** Past this, only the file's last part is read: a recent failure is what matters. */
const MAX_BYTES = 64 * CHUNK;

/** OpenCode's log files and database files under its data folder (or `OPENCODE_DB`). */
export async function openCodeLeakFiles(dataDir: string, db?: string): Promise<string[]> {
  const files: string[] = [];
  const logDir = join(dataDir, 'log');
  for (const name of (await readdir(logDir).catch(() => [])).sort()) if (name.endsWith('.log')) files.push(join(logDir, name));
  const base = db || join(dataDir, 'opencode.db');
  for (const suffix of ['', '-wal']) files.push(`${base}${suffix}`);
  return files;
}

/** The files that hold a KeyTray key (by fingerprint) or other key-shaped strings. */
export async function scanForLeaks(files: string[], meta: Metadata): Promise<OpenCodeLeak[]> {
  const known = new Map<string, string>();
  for (const [provider, state] of Object.entries(meta.providers)) {
    for (const key of state?.keys ?? []) known.set(key.fingerprint, `${provider}/${key.label}`);
  }
  const leaks: OpenCodeLeak[] = [];
  for (const path of files) {
    const found = await scanFile(path, known);
    if (found && (found.keytray.length > 0 || found.lookalikes > 0)) leaks.push({ path, ...found });
  }
  return leaks;
}

async function scanFile(path: string, known: Map<string, string>): Promise<Omit<OpenCodeLeak, 'path'> | null> {
  const handle = await open(path, 'r').catch(() => null);
  if (!handle) return null;
  const keytray = new Set<string>();
  const others = new Set<string>();
  try {
    const { size } = await handle.stat();
    let position = Math.max(0, size - MAX_BYTES);
    let carry = '';
    const buffer = Buffer.alloc(CHUNK);
    while (position < size) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      const text = carry + buffer.toString('latin1', 0, bytesRead);
      for (const match of text.matchAll(KEY_SHAPE)) {
        // A match that touches the chunk's end may go on in the next one: it is seen again there, whole.
        if (position < size && (match.index ?? 0) + match[0].length >= text.length) continue;
        const print = fingerprint(match[0]);
        const label = known.get(print);
        if (label) keytray.add(label);
        else others.add(print);
      }
      carry = text.slice(-OVERLAP);
    }
  } finally {
    await handle.close();
  }
  return { keytray: [...keytray].sort(), lookalikes: others.size };
}
