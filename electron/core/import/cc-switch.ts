/**
 * Plaintext keys in CC Switch's database, `~/.cc-switch/cc-switch.db`. Its
 * schema, from CC Switch's source (src-tauri/src/database/schema.rs):
 * `providers(id, app_type, name, settings_config, …)`, where
 * `settings_config` is JSON holding the key as CC Switch writes it into each
 * app's config: `env.ANTHROPIC_AUTH_TOKEN` / `env.ANTHROPIC_API_KEY` for
 * Claude, `auth.OPENAI_API_KEY` for Codex, `env.GEMINI_API_KEY` for Gemini.
 *
 * The file is read into memory and opened there with sql.js (its single-file
 * build: no native module, no .wasm file), so nothing can write to it.
 * KeyTray never rewrites CC Switch's database: it stores the key, and says
 * which provider to edit in CC Switch to take it out.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KeyTrayError } from '../../../shared/errors';
import { asRecord } from '../../../shared/formats/file-format';
import { looksLikeKey } from '../../../shared/import/judge-provider';
import type { Metadata } from '../../../shared/metadata';
import type { Situation } from '../agents/situation';
import { type Found, found } from './found';

/** Where each app's key sits in `settings_config`. */
const KEY_PATHS: Readonly<Record<string, string[][]>> = {
  claude: [
    ['env', 'ANTHROPIC_AUTH_TOKEN'],
    ['env', 'ANTHROPIC_API_KEY'],
  ],
  codex: [['auth', 'OPENAI_API_KEY']],
  gemini: [
    ['env', 'GEMINI_API_KEY'],
    ['env', 'GOOGLE_API_KEY'],
  ],
};

export function ccSwitchDatabase(situation: Situation): string {
  return join(situation.home, '.cc-switch', 'cc-switch.db');
}

interface ProviderRow {
  id: string;
  app: string;
  name: string;
  settings: unknown;
}

/** The `providers` rows, or null when there is no database; throws a sentence when it cannot be read. */
export async function readCcSwitchProviders(path: string): Promise<ProviderRow[] | null> {
  const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (bytes === null) return null;
  const { default: initSqlJs } = await import('sql.js/dist/sql-wasm-inline.js');
  const SQL = await initSqlJs();
  let db: InstanceType<typeof SQL.Database> | null = null;
  try {
    db = new SQL.Database(new Uint8Array(bytes));
    const result = db.exec('SELECT id, app_type, name, settings_config FROM providers');
    return (result[0]?.values ?? []).map(([id, app, name, settings]) => ({
      id: String(id),
      app: String(app),
      name: String(name ?? id),
      settings: parseJson(settings),
    }));
  } catch (error) {
    throw new KeyTrayError(
      'inconsistent',
      `${path} cannot be read as CC Switch's database (no providers table in SQLite form).`,
      {
        cause: error,
        fix: 'KeyTray only reads it and left it as it was. If CC Switch is writing it, try again once CC Switch is closed.',
      },
    );
  } finally {
    db?.close();
  }
}

export async function findCcSwitchKeys(situation: Situation, meta: Metadata): Promise<Found[]> {
  const path = ccSwitchDatabase(situation);
  const rows = await readCcSwitchProviders(path);
  const keys: Found[] = [];
  for (const row of rows ?? []) {
    for (const keyPath of KEY_PATHS[row.app] ?? []) {
      const value = keyPath.reduce<unknown>((at, part) => asRecord(at)[part], row.settings);
      if (typeof value !== 'string' || !looksLikeKey(value)) continue;
      const name = row.name.slice(0, 64);
      const removal = `KeyTray does not rewrite CC Switch's database: clear the key of provider "${name}" (${row.app}) in CC Switch, or delete that provider there.`;
      keys.push({
        ...found(
          meta,
          {
            kind: 'cc-switch',
            path,
            row: `providers ${row.app}/${row.id} ("${name}")`,
            variable: keyPath.join('.'),
            action: `Stores the key; ${removal}`,
          },
          value,
          `cc-switch-${row.app}-${row.name}`,
        ),
        storeOnly: removal,
      });
    }
  }
  return keys;
}

function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return {};
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return {};
  }
}
