/**
 * `keytray import`: every plaintext key this user has where KeyTray knows to
 * look (shell startup files, .env files, Claude Code's settings, agents' own
 * stores, CC Switch's database), and moving the chosen ones into the
 * keychain. A key is taken out of a place only after it has been stored and
 * read back from the keychain (keepInKeychain). Each file is written by the
 * one writer (sealed 0600 backup, journal), and each import is recorded so
 * `--undo` can put back what it changed.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AGENTS } from '../../../shared/agents/catalog';
import { CCR_KEY_PLACEHOLDER, CCR_PROVIDER_NAME } from '../../../shared/agents/claude-code-router/picture';
import { KeyTrayError } from '../../../shared/errors';
import type { FormatId } from '../../../shared/formats/file-format';
import { asRecord } from '../../../shared/formats/file-format';
import { elementSegment, findElement } from '../../../shared/formats/json-elements';
import type { ImportScan, MovedKey, PlaintextKey } from '../../../shared/import/plaintext-key';
import type { Metadata } from '../../../shared/metadata';
import { isProviderId, type ProviderId, providerIds } from '../../../shared/providers';
import { keepInKeychain } from '../agents/import-key';
import { secretsProviderName } from '../agents/openclaw/agent';
import type { Situation } from '../agents/situation';
import { writeFileAtomic } from '../files/atomic-file';
import { withFileLock } from '../files/file-lock';
import { FORMATS } from '../files/formats';
import { planSettingsChange, readSettingsFile, type SettingsPlan, settingsDiff } from '../files/settings-writer';
import type { Services } from '../services';
import { fingerprint } from '../vault/vault';
import { findAgentStoreKeys, secretsInLog } from './agent-stores';
import { findCcSwitchKeys } from './cc-switch';
import { findClaudeSettingsKeys } from './claude-settings-env';
import { findDotenvKeys, planDotenvFile } from './dotenv-files';
import { type Found, publicKey } from './found';
import { findShellKeys, planShellFile } from './shell-files';

type ImportServices = Pick<Services, 'vault' | 'writer' | 'agents' | 'dataDir'>;

/** One pick: a finding's id, and the provider to store it under when KeyTray cannot tell. */
export interface ImportPick {
  id: string;
  provider?: string;
}

/** What one `--apply` changed, in order, for `--undo`. */
type Step =
  | { kind: 'file'; path: string; format: FormatId }
  | { kind: 'agent'; agent: keyof typeof AGENTS; scope: string; cwd: string };

export async function scanForKeys(
  services: Pick<Services, 'vault' | 'agents'>,
  situation: Situation,
): Promise<{ found: Found[]; unreadable: ImportScan['unreadable'] }> {
  const meta = await services.vault.readMetadata();
  const unreadable: ImportScan['unreadable'] = [];
  const places: [string, () => Promise<Found[]>][] = [
    ['shell startup files', () => findShellKeys(situation, meta)],
    ['.env files', () => findDotenvKeys(situation, meta)],
    ["Claude Code's settings", () => findClaudeSettingsKeys(services.agents['claude-code'], situation, meta)],
    ["agents' own stores", () => findAgentStoreKeys(services, situation, meta)],
    ["CC Switch's database", () => findCcSwitchKeys(situation, meta)],
  ];
  const found: Found[] = [];
  for (const [place, find] of places) {
    try {
      found.push(...(await find()));
    } catch (error) {
      unreadable.push({
        path: place,
        problem: error instanceof KeyTrayError ? error.message : `could not be read (${describe(error)})`,
      });
    }
  }
  return { found, unreadable };
}

/** The scan as it may leave main: masks only. */
export async function scanImport(services: Pick<Services, 'vault' | 'agents'>, situation: Situation): Promise<ImportScan> {
  const { found, unreadable } = await scanForKeys(services, situation);
  return { keys: found.map(publicKey), unreadable };
}

/**
 * Moves the picked keys (every key whose provider is known, without picks).
 * Keys sharing a file move together, in one write of that file.
 */
export async function applyImport(
  services: ImportServices,
  situation: Situation,
  picks: ImportPick[] | 'all',
): Promise<{ moved: MovedKey[]; skipped: PlaintextKey[] }> {
  const { found } = await scanForKeys(services, situation);
  const chosen = choose(found, picks);
  const skipped = found.filter((f) => !chosen.some((c) => c.id === f.id)).map(publicKey);
  const steps: Step[] = [];
  const moved: MovedKey[] = [];
  const date = new Date().toISOString().slice(0, 10);

  const byFile = new Map<string, Found[]>();
  for (const key of chosen) {
    if (key.kind === 'shell' || key.kind === 'dotenv') byFile.set(key.path, [...(byFile.get(key.path) ?? []), key]);
  }
  for (const [path, keys] of byFile) {
    const results = await attempt(keys, async () => {
      const lines: { line: number; value: string; variable: string; marker: string; label: string }[] = [];
      for (const key of keys) {
        const label = await store(services, key);
        lines.push({ line: key.line ?? 0, value: key.secret, variable: key.variable, marker: marker(key, label, date), label });
      }
      const plan = keys[0]?.kind === 'shell' ? await planShellFile(path, lines) : await planDotenvFile(path, lines);
      await services.writer.apply(plan);
      steps.push({ kind: 'file', path, format: plan.format.id });
      return keys.map((key, index) => ({
        id: key.id,
        path,
        key: { provider: key.provider as ProviderId, label: lines[index]?.label ?? key.label },
        done: `Line ${key.line} commented out (${key.variable}).`,
      }));
    });
    moved.push(...results);
  }

  const logs = new Map<string, Found[]>();
  for (const key of chosen) if (key.kind === 'agent-log') logs.set(key.path, [...(logs.get(key.path) ?? []), key]);
  for (const [path, keys] of logs) {
    moved.push(
      ...(await attempt(keys, async () => {
        // Deleting the log deletes every key in it: each must be picked, stored and read back first.
        const left = found.filter((f) => f.path === path && !keys.some((k) => k.id === f.id));
        if (left.length > 0) {
          throw new KeyTrayError('usage', `${path} also holds ${left.map((f) => f.id).join(', ')}, which was not picked.`, {
            fix: 'Pick every key in that log (with its provider when KeyTray cannot tell), or delete the log yourself.',
          });
        }
        const labels: string[] = [];
        for (const key of keys) labels.push(await store(services, key));
        const deleted = await deleteWhenAllStored(path, keys);
        return keys.map((key, index) => ({
          id: key.id,
          path,
          key: { provider: key.provider as ProviderId, label: labels[index] ?? key.label },
          done: deleted.length
            ? `${keys[0]?.agent === 'codex' ? 'Shell snapshot' : 'Debug log'} deleted (it has no undo).`
            : 'The file no longer held the key; left as it was.',
        }));
      })),
    );
  }

  for (const key of chosen.filter((k) => k.kind !== 'shell' && k.kind !== 'dotenv' && k.kind !== 'agent-log')) {
    moved.push(...(await attempt([key], async () => [await moveOne(services, situation, key, steps)])));
  }
  if (steps.length > 0) await recordBatch(services.dataDir, steps);
  return { moved, skipped };
}

/**
 * Puts back every file the last `--apply` changed (the keys stay in the keychain), last change
 * first. A file that cannot be put back (changed since) stops it there with that file's error; what
 * is left stays recorded, so `--undo` can go on once the file is dealt with.
 */
export async function undoImport(services: ImportServices, situation: Situation): Promise<{ paths: string[] }> {
  return withFileLock(journalPath(services.dataDir), async () => {
    const journal = await readJournal(services.dataDir);
    const batch = journal.batches.at(-1);
    if (!batch) throw new KeyTrayError('not-found', 'KeyTray has imported no key, so there is nothing to undo.');
    const paths: string[] = [];
    const left = [...batch.steps];
    for (let step = left.at(-1); step; step = left.at(-1)) {
      try {
        if (step.kind === 'file') {
          await services.writer.undo(step.path, FORMATS[step.format]);
          paths.push(step.path);
        } else {
          const undone = await services.agents[step.agent].undo(step.scope, { ...situation, cwd: step.cwd });
          paths.push(...undone.files.map((f) => f.path));
        }
      } catch (error) {
        const rest = journal.batches.slice(0, -1);
        await saveJournal(services.dataDir, { batches: [...rest, { ...batch, steps: left }] });
        throw error;
      }
      left.pop();
    }
    await saveJournal(services.dataDir, { batches: journal.batches.slice(0, -1) });
    return { paths: [...new Set(paths)] };
  });
}

function choose(found: Found[], picks: ImportPick[] | 'all'): Found[] {
  if (picks === 'all') return found.filter((f) => f.provider !== null);
  return picks.map((pick) => {
    const key = found.find((f) => f.id === pick.id);
    if (!key) {
      throw new KeyTrayError('not-found', `No plaintext key has the id "${pick.id.slice(0, 16)}".`, {
        fix: 'Run `keytray import` to see the ids; a place changed since shows a new one.',
      });
    }
    if (pick.provider !== undefined && !isProviderId(pick.provider)) {
      throw new KeyTrayError('usage', `Unknown provider "${String(pick.provider).slice(0, 32)}" for ${pick.id}.`, {
        fix: `Write --pick <id>:<provider> with one of ${providerIds().join(', ')}.`,
      });
    }
    const provider = (pick.provider as ProviderId | undefined) ?? key.provider;
    if (provider === null) {
      throw new KeyTrayError('usage', `KeyTray cannot tell whose key ${pick.id} (${key.variable}) is.`, {
        fix: `Name its provider: --pick ${pick.id}:<provider>.`,
      });
    }
    return { ...key, provider };
  });
}

/** Stores the key (under its held label, or a free one) and reads it back; returns the label. */
async function store(services: ImportServices, key: Found): Promise<string> {
  const provider = key.provider as ProviderId;
  const meta = await services.vault.readMetadata();
  const label = key.held?.provider === provider ? key.held.label : freeLabel(meta, provider, key.label, key.secret);
  return keepInKeychain(services.vault, provider, label, key.secret, key.path);
}

/** The label, or label-2, label-3…, whichever is not taken by another key. */
function freeLabel(meta: Metadata, provider: ProviderId, label: string, secret: string): string {
  const keys = meta.providers[provider]?.keys ?? [];
  const print = fingerprint(secret);
  for (let n = 1; ; n += 1) {
    const candidate = n === 1 ? label : `${label.slice(0, 60)}-${n}`;
    const taken = keys.find((k) => k.label === candidate);
    if (!taken || taken.fingerprint === print) return candidate;
  }
}

function marker(key: Found, label: string, date: string): string {
  return `${key.variable} moved to the KeyTray keychain as ${key.provider}/${label} on ${date}: run agents with \`keytray exec --provider ${key.provider}:${label} -- <command>\` or \`keytray configure <agent>\``;
}

/** Moves one key held in a structured file or database, as its place requires. */
async function moveOne(services: ImportServices, situation: Situation, key: Found, steps: Step[]): Promise<MovedKey> {
  const provider = key.provider as ProviderId;
  const agentId = key.agent;
  if (key.storeOnly !== undefined) {
    const label = await store(services, key);
    return { id: key.id, path: key.path, key: { provider, label }, done: 'Stored in the keychain.', todo: key.storeOnly };
  }
  if (!agentId) throw new KeyTrayError('internal', `No agent for ${key.path}.`);
  const agent = services.agents[agentId];
  const info = AGENTS[agentId];
  const usable = (info.providers as readonly ProviderId[]).includes(provider);
  if ((agentId === 'claude-code-router' || agentId === 'openclaw') && usable && key.entry !== undefined) {
    // The agent's configure, and the user's own entry pointed at what configure sets up; checked before anything is written.
    const label = await store(services, key);
    const plan = await agent.plan({ situation, provider, label });
    const entryPlan = plan.files.find((f) => f.path === key.path);
    if (entryPlan) Object.assign(entryPlan, ownEntryReplaced(entryPlan, agentId, key.entry, provider));
    if (plan.files.some((f) => f.after.includes(key.secret))) {
      throw new KeyTrayError(
        'inconsistent',
        `Configuring ${info.label} for ${provider} would leave ${key.variable} in ${key.path}; nothing was written there.`,
        {
          fix: `The key is in the keychain as ${provider}/${label}. Replace ${key.variable} by hand, then run \`keytray configure ${agentId} --provider ${provider} --label ${label}\`.`,
        },
      );
    }
    await agent.apply(plan);
    steps.push({ kind: 'agent', agent: agentId, scope: plan.scope, cwd: situation.cwd });
    return {
      id: key.id,
      path: key.path,
      key: { provider, label },
      done: `${info.label} configured, and its entry "${key.entry}" takes the key from KeyTray.`,
    };
  }
  const label = await store(services, key);
  let plan: SettingsPlan;
  if (key.kind === 'claude-settings') {
    plan = await planSettingsChange(key.path, [{ path: key.variable.split('.'), value: undefined }], FORMATS.json);
  } else if (agentId === 'codex') {
    plan = await planSettingsChange(key.path, [{ path: ['OPENAI_API_KEY'], value: null }], FORMATS.json);
  } else if (agentId === 'opencode') {
    plan = await planSettingsChange(key.path, [{ path: [key.variable.replace(/\.key$/, '')], value: undefined }], FORMATS.json);
  } else if (agentId === 'gemini-cli') {
    const imported = await services.agents['gemini-cli'].importKey(situation, label);
    steps.push({ kind: 'file', path: imported.path, format: 'opaque' });
    return {
      id: key.id,
      path: key.path,
      key: imported.key,
      ...(await configureAfter(services, situation, key, provider, imported.key.label, steps)),
    };
  } else {
    throw new KeyTrayError(
      'usage',
      `${info.label} cannot use a ${provider} key, so KeyTray cannot put its own reference there.`,
      {
        fix: `The key is in the keychain as ${provider}/${label}; take it out of ${key.path} by hand.`,
      },
    );
  }
  if ((await readSettingsFile(key.path)) !== plan.before)
    throw new KeyTrayError('inconsistent', `${key.path} changed while it was read.`);
  if (plan.after.includes(key.secret)) {
    throw new KeyTrayError('inconsistent', `${key.path} holds the key in more than one place; nothing was written there.`, {
      fix: `The key is in the keychain as ${provider}/${label}; take it out of the file by hand.`,
    });
  }
  await services.writer.apply(plan);
  steps.push({ kind: 'file', path: key.path, format: plan.format.id });
  return {
    id: key.id,
    path: key.path,
    key: { provider, label },
    ...(await configureAfter(services, situation, key, provider, label, steps)),
  };
}

/** Configures the agent whose store or settings held the key, with it from the keychain, where the agent takes that provider. */
async function configureAfter(
  services: ImportServices,
  situation: Situation,
  key: Found,
  provider: ProviderId,
  label: string,
  steps: Step[],
): Promise<Pick<MovedKey, 'done' | 'todo'>> {
  const agentId = key.agent;
  if (!agentId) return { done: `${key.variable} taken out.` };
  const info = AGENTS[agentId];
  if (!(info.providers as readonly ProviderId[]).includes(provider) || info.configurableModes.length === 0) {
    return {
      done: `${key.variable} taken out.`,
      todo: `${info.label} does not take ${provider} keys from KeyTray: run it with \`keytray exec --provider ${provider}:${label} -- <command>\`.`,
    };
  }
  const scope = key.kind === 'claude-settings' ? key.row : undefined;
  try {
    const plan = await services.agents[agentId].plan({ situation, provider, label, ...(scope ? { scope } : {}) });
    await services.agents[agentId].apply(plan);
    steps.push({ kind: 'agent', agent: agentId, scope: plan.scope, cwd: situation.cwd });
    return { done: `${key.variable} taken out; ${info.label} configured with ${provider}/${label}.` };
  } catch (error) {
    const known = error instanceof KeyTrayError ? error : null;
    return {
      done: `${key.variable} taken out.`,
      todo: `${info.label} is not configured yet${known ? `: ${known.message}` : ''} Run \`keytray configure ${agentId} --provider ${provider} --label ${label}\`.`,
    };
  }
}

/** Runs one move; a failure becomes that key's error (a sentence, never a value), and the others go on. */
async function attempt(keys: Found[], move: () => Promise<MovedKey[]>): Promise<MovedKey[]> {
  try {
    return await move();
  } catch (error) {
    const known =
      error instanceof KeyTrayError
        ? { message: error.message, ...(error.fix ? { fix: error.fix } : {}) }
        : {
            // Another library's message could quote the file it failed on: only its kind crosses.
            message: `${keys[0]?.path ?? 'The place'} was left as it was: KeyTray failed unexpectedly (${describe(error)}).`,
            fix: 'Run `keytray import` again to see it as it is now.',
          };
    return keys.map((key) => ({ id: key.id, path: key.path, error: known }));
  }
}

interface Journal {
  batches: { at: string; steps: Step[] }[];
}

function journalPath(dataDir: string): string {
  return join(dataDir, 'import-journal.json');
}

async function readJournal(dataDir: string): Promise<Journal> {
  const text = await readSettingsFile(journalPath(dataDir));
  if (text === null) return { batches: [] };
  try {
    const parsed = JSON.parse(text) as Partial<Journal>;
    return { batches: Array.isArray(parsed.batches) ? parsed.batches : [] };
  } catch (error) {
    throw new KeyTrayError('inconsistent', `KeyTray's import journal ${journalPath(dataDir)} is damaged.`, {
      cause: error,
      fix: 'Each file can still be put back with `keytray backups` and `keytray configure <agent> --undo`.',
    });
  }
}

async function saveJournal(dataDir: string, journal: Journal): Promise<void> {
  await writeFileAtomic(journalPath(dataDir), `${JSON.stringify({ version: 1, ...journal }, null, 2)}\n`, 0o600);
}

async function recordBatch(dataDir: string, steps: Step[]): Promise<void> {
  await withFileLock(journalPath(dataDir), async () => {
    const journal = await readJournal(dataDir);
    await saveJournal(dataDir, { batches: [...journal.batches, { at: new Date().toISOString(), steps }] });
  });
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}${'code' in error ? ` ${String(error.code)}` : ''}`;
  return typeof error;
}

/**
 * The configure plan's text for the agent's file, with the user's own entry that held the key
 * taking it from KeyTray too: claude-code-router's provider gets the transformer configure
 * installs (it sets the header from KeyTray's helper), OpenClaw's provider the exec SecretRef
 * configure declares. Every other entry, and every other byte of that entry's file, stays.
 */
function ownEntryReplaced(
  plan: SettingsPlan,
  agentId: 'claude-code-router' | 'openclaw',
  entry: string,
  provider: ProviderId,
): Pick<SettingsPlan, 'after' | 'diff'> {
  const parsed = plan.format.parse(plan.after);
  if (!parsed.ok) return plan;
  let after: string;
  if (agentId === 'openclaw') {
    after = plan.format.edit(plan.after, [
      {
        path: ['models', 'providers', entry, 'apiKey'],
        value: { source: 'exec', provider: secretsProviderName(provider), id: 'value' },
      },
    ]);
  } else {
    const list = Array.isArray(parsed.value.Providers) ? 'Providers' : 'providers';
    const current = asRecord(findElement(parsed.value, [list], elementSegment('name', entry)));
    const transformer = asRecord(current.transformer);
    const use = Array.isArray(transformer.use) ? transformer.use : [];
    after = plan.format.edit(plan.after, [
      {
        path: [list, elementSegment('name', entry)],
        value: {
          ...current,
          api_key: CCR_KEY_PLACEHOLDER,
          transformer: { ...transformer, use: [...use.filter((u) => u !== CCR_PROVIDER_NAME), CCR_PROVIDER_NAME] },
        },
      },
    ]);
  }
  return { after, diff: settingsDiff(plan.path, plan.before, after, plan.format) };
}

/**
 * Deletes a log or snapshot once every key it holds now (read again) is one of `stored`; a key
 * written there since the scan keeps the file. Returns what it deleted.
 */
async function deleteWhenAllStored(path: string, stored: Found[]): Promise<string[]> {
  const text = await readFile(path, 'utf8').catch(() => null);
  if (text === null) return [];
  const now = secretsInLog(path, text);
  if (now.length === 0) return [];
  const unstored = now.filter((secret) => !stored.some((k) => k.secret === secret));
  if (unstored.length > 0) {
    throw new KeyTrayError('inconsistent', `${path} holds a key it did not hold when it was read; it was left as it was.`, {
      fix: 'Run `keytray import` again to see it as it is now.',
    });
  }
  await rm(path, { force: true });
  return [path];
}
