/**
 * Plaintext keys in the `.env` files an agent reads for the current folder:
 * Gemini CLI's (`.gemini/.env` and `.env` in the folder and each parent up to
 * the home folder, then `~/.gemini/.env` and `~/.env`). Read with `dotenv`,
 * the parser Gemini CLI uses. Moving a key replaces its line with a marker
 * comment; a value spanning several lines is left to the user.
 */
import { dirname, join } from 'node:path';
import { parse } from 'dotenv';
import { KeyTrayError } from '../../../shared/errors';
import { CREDENTIAL_NAME, looksLikeKey } from '../../../shared/import/judge-provider';
import type { Metadata } from '../../../shared/metadata';
import type { Situation } from '../agents/situation';
import { assignmentLine } from '../files/dotenv-edit';
import { FORMATS } from '../files/formats';
import { readSettingsFile, type SettingsPlan, settingsDiff } from '../files/settings-writer';
import { type Found, found } from './found';
import { withoutAssignments } from './shell-text';

/** The .env files for a folder, nearest first; bounded by the home folder (or the file system's root, outside it). */
export function dotenvFiles(situation: Situation): string[] {
  const files: string[] = [];
  const home = situation.home;
  for (let dir = situation.cwd; ; dir = dirname(dir)) {
    files.push(join(dir, '.gemini', '.env'), join(dir, '.env'));
    if (dir === home || dirname(dir) === dir) break;
  }
  const geminiHome = situation.env.GEMINI_CLI_HOME || home;
  files.push(join(geminiHome, '.gemini', '.env'), join(home, '.env'));
  return [...new Set(files)];
}

export async function findDotenvKeys(situation: Situation, meta: Metadata): Promise<Found[]> {
  const keys: Found[] = [];
  for (const path of dotenvFiles(situation)) {
    const text = await readSettingsFile(path).catch(() => null);
    if (text === null) continue;
    for (const [name, value] of Object.entries(parse(text))) {
      if (!CREDENTIAL_NAME.test(name) || !looksLikeKey(value)) continue;
      const line = assignmentLine(text, name);
      if (line === null) continue;
      keys.push(
        found(
          meta,
          {
            kind: 'dotenv',
            path,
            line,
            variable: name,
            action: 'Comments out the line, leaving a marker that says where the key went.',
          },
          value,
          path.includes('/.gemini/') ? 'gemini-env' : 'dotenv',
        ),
      );
    }
  }
  return keys;
}

/** The plan replacing each chosen assignment of one .env file with its marker, if the file still says what was read. */
export async function planDotenvFile(
  path: string,
  lines: { line: number; marker: string; variable: string; value: string }[],
): Promise<SettingsPlan> {
  const before = (await readSettingsFile(path)) ?? '';
  const values = parse(before);
  for (const { variable, value, line } of lines) {
    if (values[variable] !== value || assignmentLine(before, variable) !== line) {
      throw new KeyTrayError('inconsistent', `${variable} in ${path} changed since it was read; the file was left as it was.`, {
        fix: 'Run `keytray import` again to see it as it is now.',
      });
    }
  }
  const after = withoutAssignments(before, lines, 'sh');
  if (lines.some(({ variable }) => parse(after)[variable] !== undefined)) {
    throw new KeyTrayError('inconsistent', `${path} assigns the variable more than once; the file was left as it was.`, {
      fix: 'Keep one assignment (or none) in the file, then run `keytray import --apply` again.',
    });
  }
  return { path, format: FORMATS.dotenv, before, after, diff: settingsDiff(path, before, after, FORMATS.dotenv) };
}
