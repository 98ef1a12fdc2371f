/**
 * Plaintext keys in coding agents' own stores (see AGENTS.md): Codex's
 * `auth.json` (`codex login --with-api-key`), OpenCode's `auth.json`
 * (`opencode auth login`), Gemini CLI's `gemini-credentials.json`,
 * claude-code-router's `Providers[].api_key` and OpenClaw's
 * `models.providers.<id>.apiKey` and the profiles `openclaw onboard` left in
 * its state database, claude-code-router's debug logs (they hold the
 * outgoing authorization header) and the shell snapshots a killed Codex left
 * behind (the whole environment). Each is read as the agent reads it;
 * moving a key goes through the agent's own integration (its importKey, or
 * its configure, which puts KeyTray's reference where the key was).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AGENTS, type AgentId } from '../../../shared/agents/catalog';
import { CCR_KEY_PLACEHOLDER } from '../../../shared/agents/claude-code-router/picture';
import { asRecord } from '../../../shared/formats/file-format';
import { looksLikeKey } from '../../../shared/import/judge-provider';
import type { Metadata } from '../../../shared/metadata';
import { ccrHome } from '../agents/claude-code-router/agent';
import { codexHome } from '../agents/codex/agent';
import { geminiDir } from '../agents/gemini-cli/agent';
import { openCredentials, storedApiKey } from '../agents/gemini-cli/credentials-file';
import { openclawConfigPath, openclawStateDir } from '../agents/openclaw/agent';
import { profilesWithKeys } from '../agents/openclaw/state-db';
import { openCodeDataDir } from '../agents/opencode/agent';
import type { AgentRegistry } from '../agents/registry';
import type { Situation } from '../agents/situation';
import { FORMATS } from '../files/formats';
import { readSettingsFile } from '../files/settings-writer';
import { type Found, found } from './found';
import { shellAssignments } from './shell-text';

export async function findAgentStoreKeys(
  services: { agents: AgentRegistry },
  situation: Situation,
  meta: Metadata,
): Promise<Found[]> {
  const keys: Found[] = [];
  const add = (
    agent: AgentId,
    path: string,
    variable: string,
    secret: unknown,
    action: string,
    entry?: string,
    named?: string,
  ) => {
    if (typeof secret === 'string' && looksLikeKey(secret))
      keys.push(found(meta, { kind: 'agent-store', path, variable, agent, action }, secret, agent, entry, named));
  };
  const configures = (agent: AgentId) => `Configures ${AGENTS[agent].label} with the key from the keychain in its place.`;

  const codexAuth = join(codexHome(situation), 'auth.json');
  const codex = await readJson(codexAuth, FORMATS.json);
  add(
    'codex',
    codexAuth,
    'OPENAI_API_KEY',
    codex.OPENAI_API_KEY,
    `Sets OPENAI_API_KEY to null, as Codex does, and ${lower(configures('codex'))}`,
  );

  const openCodeAuth = join(openCodeDataDir(situation), 'auth.json');
  for (const [provider, entry] of Object.entries(await readJson(openCodeAuth, FORMATS.json))) {
    const record = asRecord(entry);
    if (record.type === 'api')
      add(
        'opencode',
        openCodeAuth,
        `${provider}.key`,
        record.key,
        `Takes the "${provider}" entry out, and ${lower(configures('opencode'))}`,
        undefined,
        provider,
      );
  }

  const geminiStore = join(geminiDir(situation), 'gemini-credentials.json');
  const geminiText = await readSettingsFile(geminiStore).catch(() => null);
  const entries = geminiText === null ? null : openCredentials(geminiText);
  add(
    'gemini-cli',
    geminiStore,
    'gemini-cli-api-key',
    entries ? storedApiKey(entries) : null,
    `Takes the key out of Gemini CLI's store, and ${lower(configures('gemini-cli'))}`,
  );

  const ccrConfig = join(ccrHome(situation), 'config.json');
  const ccr = await readJson(ccrConfig, FORMATS['json-lists']);
  const list = Array.isArray(ccr.Providers) ? 'Providers' : 'providers';
  for (const entry of Array.isArray(ccr[list]) ? ccr[list] : []) {
    const record = asRecord(entry);
    if (typeof record.name !== 'string') continue;
    add(
      'claude-code-router',
      ccrConfig,
      `${list}[name=${record.name}].api_key`,
      record.api_key,
      `Configures claude-code-router with the key from the keychain, and gives provider "${record.name}" KeyTray's transformer in place of the key.`,
      record.name,
    );
  }

  const openclawConfig = openclawConfigPath(situation);
  const openclaw = await readJson(openclawConfig, FORMATS.json5);
  for (const [provider, entry] of Object.entries(asRecord(asRecord(openclaw.models).providers))) {
    add(
      'openclaw',
      openclawConfig,
      `models.providers.${provider}.apiKey`,
      asRecord(entry).apiKey,
      `Configures OpenClaw with the key from the keychain, and gives provider "${provider}" KeyTray's key command in place of the key.`,
      provider,
      provider,
    );
  }
  // What `openclaw onboard` left in OpenClaw's state database, which only OpenClaw rewrites.
  const stateDb = join(openclawStateDir(situation), 'state', 'openclaw.sqlite');
  for (const profile of (await profilesWithKeys(stateDb)) ?? []) {
    if (!looksLikeKey(profile.key)) continue;
    const removal = `clear it in OpenClaw with \`openclaw models auth logout\` (profile "${profile.id.slice(0, 64)}"), then \`keytray configure openclaw\`.`;
    keys.push({
      ...found(
        meta,
        {
          kind: 'agent-store',
          path: stateDb,
          row: `authProfiles.store profile "${profile.id.slice(0, 64)}"`,
          variable: `profiles.${profile.id.slice(0, 64)}.key`,
          agent: 'openclaw',
          action: `Stores the key; KeyTray does not rewrite OpenClaw's state database: ${removal}`,
        },
        profile.key,
        'openclaw-state',
        undefined,
        profile.provider,
      ),
      storeOnly: removal,
    });
  }

  // Shell snapshots a killed Codex left behind: the whole environment, `declare -x` by `declare -x`.
  const snapshots = join(codexHome(situation), 'shell_snapshots');
  for (const name of await readdir(snapshots).catch(() => [] as string[])) {
    if (!name.endsWith('.sh')) continue;
    const path = join(snapshots, name);
    const text = await readFile(path, 'utf8').catch(() => '');
    for (const assignment of shellAssignments(text, 'sh')) {
      keys.push(
        found(
          meta,
          {
            kind: 'agent-log',
            path,
            line: assignment.line,
            variable: assignment.name,
            agent: 'codex',
            action:
              'Deletes the snapshot once every key in it is in the keychain (Codex deletes its own on a clean exit; `[features] shell_snapshot = false` turns them off).',
          },
          assignment.value,
          'codex-snapshot',
        ),
      );
    }
  }

  const router = services.agents['claude-code-router'];
  for (const log of await router.leakedLogs(situation)) {
    const text = await readFile(log, 'latin1').catch(() => '');
    const headers = loggedHeaders(text);
    for (const [secret, header] of headers) {
      if (!looksLikeKey(secret) || secret === CCR_KEY_PLACEHOLDER) continue;
      keys.push(
        found(
          meta,
          {
            kind: 'agent-log',
            path: log,
            variable: `${header} header`,
            agent: 'claude-code-router',
            action:
              'Deletes the debug log once every key in it is in the keychain (a log has no undo); `"LOG": false` in config.json stops ccr writing them.',
          },
          secret,
          'claude-code-router',
        ),
      );
    }
  }
  return keys;
}

/** A credential header as claude-code-router's debug log writes it (JSON). */
const LOGGED_HEADER = /"(authorization|x-api-key)"\s*:\s*"(?:Bearer )?([^"\s]{8,})"/gi;

/** Each key a ccr debug log holds, with the header it went out in. */
function loggedHeaders(text: string): Map<string, string> {
  return new Map([...text.matchAll(LOGGED_HEADER)].map((m) => [m[2] ?? '', (m[1] ?? '').toLowerCase()]));
}

/** Every key a log or snapshot holds now (a Codex snapshot's assignments, a ccr log's headers): what deleting it would lose. */
export function secretsInLog(path: string, text: string): string[] {
  const found = path.endsWith('.sh')
    ? shellAssignments(text, 'sh').map((a) => a.value)
    : [...loggedHeaders(text).keys()].filter((secret) => looksLikeKey(secret) && secret !== CCR_KEY_PLACEHOLDER);
  return [...new Set(found)];
}

async function readJson(path: string, format: (typeof FORMATS)[keyof typeof FORMATS]): Promise<Record<string, unknown>> {
  const text = await readSettingsFile(path).catch(() => null);
  const parsed = text === null ? null : format.parse(text);
  return parsed?.ok ? parsed.value : {};
}

function lower(sentence: string): string {
  return sentence.charAt(0).toLowerCase() + sentence.slice(1);
}
