/**
 * The API keys `openclaw onboard` leaves in OpenClaw's state database
 * (`state/openclaw.sqlite`, table `config_machine_state`, row
 * `authProfiles.store`: `{"profiles":{"<id>":{"type":"api_key","provider":…,"key":…}}}`).
 * Node 20 has no SQLite reader and KeyTray adds no native one, so this is a
 * byte scan of the database and its write-ahead log for that JSON shape.
 * `openclaw models auth logout` deletes the row, leaving at most a cut-short
 * remnant in a freed cell (measured), which the scan does not count as a
 * profile. Only masks leave this file, but for `keytray import`, which moves the keys.
 */
import { readFile } from 'node:fs/promises';
import type { StoredProfile } from '../../../../shared/agents/openclaw/picture';
import { maskSecret } from '../../../../shared/mask';

/**
 * One whole profile record. A deleted row's bytes can linger in a freed cell, cut short by the
 * cell's new header (measured after `openclaw models auth logout`): the key must be made of key
 * characters and its string must close, or it is not a profile.
 */
const PROFILE =
  /"([^"\\]{1,128})":\{"type":"(?:api_key|token)","provider":"([^"\\]{1,64})","(?:key|token)":"([A-Za-z0-9._~+/=:-]{8,4096})"[},]/g;

/** The auth profiles holding a key, last written last (the log after the database). */
export async function storedProfiles(dbPath: string): Promise<StoredProfile[] | null> {
  const profiles = await profilesWithKeys(dbPath);
  return profiles?.map(({ id, provider, key }) => ({ id, provider, masked: maskSecret(key) })) ?? null;
}

/**
 * The same profiles with their keys, for `keytray import` alone: it stores each one in the
 * keychain (and reads it back) in main; nothing else may ask for them.
 */
export async function profilesWithKeys(dbPath: string): Promise<{ id: string; provider: string; key: string }[] | null> {
  const found = new Map<string, { id: string; provider: string; key: string }>();
  let any = false;
  for (const path of [dbPath, `${dbPath}-wal`]) {
    let bytes: string;
    try {
      bytes = (await readFile(path)).toString('latin1');
    } catch {
      continue;
    }
    any = true;
    for (const match of bytes.matchAll(PROFILE)) {
      const [, id = '', provider = '', key = ''] = match;
      found.delete(id);
      found.set(id, { id, provider, key });
    }
  }
  return any ? [...found.values()] : null;
}
