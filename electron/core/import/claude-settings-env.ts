/**
 * Plaintext keys in the `env` of Claude Code's settings, at every scope
 * KeyTray writes (user, project, local; the managed file is the
 * administrator's and is only read for the picture). Moving one takes the
 * variable out of that file and configures Claude Code there with the key
 * from the keychain.
 */
import { asRecord } from '../../../shared/formats/file-format';
import { CREDENTIAL_NAME, looksLikeKey } from '../../../shared/import/judge-provider';
import type { Metadata } from '../../../shared/metadata';
import { type AgentIntegration, writableFileAt } from '../agents/agent';
import type { Situation } from '../agents/situation';
import { FORMATS } from '../files/formats';
import { readSettingsFile } from '../files/settings-writer';
import { type Found, found } from './found';

export async function findClaudeSettingsKeys(claude: AgentIntegration, situation: Situation, meta: Metadata): Promise<Found[]> {
  const keys: Found[] = [];
  const seen = new Set<string>();
  for (const { path } of claude.configFiles(situation)) {
    // One file can serve two scopes (a project at the home folder): it is the default scope's.
    const file = writableFileAt(claude, situation, path);
    if (!file || seen.has(file.path)) continue;
    seen.add(file.path);
    const text = await readSettingsFile(file.path).catch(() => null);
    const parsed = text === null ? null : FORMATS.json.parse(text);
    if (!parsed?.ok) continue;
    for (const [name, value] of Object.entries(asRecord(parsed.value.env))) {
      if (typeof value !== 'string' || !CREDENTIAL_NAME.test(name) || !looksLikeKey(value)) continue;
      keys.push(
        found(
          meta,
          {
            kind: 'claude-settings',
            path: file.path,
            row: file.scope,
            variable: `env.${name}`,
            agent: 'claude-code',
            action: `Takes env.${name} out of the file and configures Claude Code (${file.scope} scope) with the key from the keychain.`,
          },
          value,
          `claude-code-${file.scope}`,
        ),
      );
    }
  }
  return keys;
}
