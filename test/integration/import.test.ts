/**
 * `keytray import` on a home seeded with plaintext keys in every place it
 * knows (shell startup files and a sourced file, a project .env, Claude
 * Code's user settings, Codex's and OpenCode's auth.json, Gemini CLI's key
 * store, claude-code-router's config and debug log, OpenClaw's config, and
 * a CC Switch database built from its published schema), run as the built
 * CLI against the private keychain. The files are real files; what the
 * keychain holds is read back with secret-tool.
 */
import { randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import initSqlJs from 'sql.js/dist/sql-wasm-inline.js';
import { describe, expect, it } from 'vitest';
import { sealCredentials } from '../../electron/core/agents/gemini-cli/credentials-file';
import { maskSecret } from '../../shared/mask';
import { filesUnder } from '../support/agent-world';
import { runCli } from '../support/cli';
import {
  fakeAnthropicKey,
  fakeGeminiKey,
  fakeOpenAIKey,
  makeTestEnv,
  secretToolLookup,
  type TestEnv,
  usersOwnKey,
} from '../support/test-env';

/** CC Switch's `providers` table, column for column as its schema.rs creates it. */
const CC_SWITCH_PROVIDERS = `CREATE TABLE providers (
  id TEXT NOT NULL, app_type TEXT NOT NULL, name TEXT NOT NULL, settings_config TEXT NOT NULL,
  website_url TEXT, category TEXT, created_at INTEGER, sort_index INTEGER, notes TEXT, icon TEXT,
  icon_color TEXT, meta TEXT NOT NULL DEFAULT '{}', is_current BOOLEAN NOT NULL DEFAULT 0,
  in_failover_queue BOOLEAN NOT NULL DEFAULT 0, PRIMARY KEY (id, app_type))`;

function fakeOpenRouterKey(): string {
  return `sk-or-v1-${randomBytes(32).toString('hex')}`;
}

function write(path: string, text: string, mode = 0o644): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text, { mode });
}

async function writeCcSwitch(path: string, rows: { id: string; app: string; name: string; settings: unknown }[]) {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  db.run(CC_SWITCH_PROVIDERS);
  for (const row of rows)
    db.run('INSERT INTO providers (id, app_type, name, settings_config) VALUES (?, ?, ?, ?)', [
      row.id,
      row.app,
      row.name,
      JSON.stringify(row.settings),
    ]);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, db.export());
  db.close();
}

interface Seeded {
  t: TestEnv;
  project: string;
  keys: ReturnType<typeof makeKeys>;
  files: Record<string, string>;
  ccSwitchKeys: string[];
  /** What `openclaw onboard` left in its state database, which KeyTray only reads. */
  openclawState: string;
  unknown: string;
}

/** One key per place, each its own. */
function makeKeys() {
  return {
    zshrc: fakeAnthropicKey(),
    sourced: fakeOpenAIKey(),
    dotenv: fakeGeminiKey(),
    claude: fakeAnthropicKey(),
    codex: fakeOpenAIKey(),
    opencode: fakeOpenRouterKey(),
    gemini: fakeGeminiKey(),
    ccr: fakeOpenAIKey(),
    openclaw: fakeOpenAIKey(),
    snapshot: fakeOpenAIKey(),
  };
}

async function seed(): Promise<Seeded> {
  const t = makeTestEnv();
  const home = t.root;
  const keys = makeKeys();
  const unknown = usersOwnKey('tok_');
  const heredoc = usersOwnKey('sk-ant-api03-');
  const project = join(home, 'work', 'app');
  const files: Record<string, string> = {
    [join(home, '.zshrc')]: [
      '# my zsh',
      `export ANTHROPIC_API_KEY="${keys.zshrc}"  # work`,
      `export MY_SERVICE_TOKEN=${unknown}`,
      'cat > /tmp/example <<EOF',
      `ANTHROPIC_API_KEY=${heredoc}`,
      'EOF',
      'source ~/.zsh_keys',
      '',
    ].join('\n'),
    [join(home, '.zsh_keys')]: `if [ -n "$PS1" ]; then\n  OPENAI_API_KEY='${keys.sourced}'\n  export OPENAI_API_KEY\nfi\n`,
    [join(project, '.env')]: `DEBUG=1\nGEMINI_API_KEY=${keys.dotenv}\n`,
    [join(home, '.claude', 'settings.json')]:
      `{\n  "model": "opus",\n  "env": {\n    "ANTHROPIC_API_KEY": "${keys.claude}",\n    "DISABLE_TELEMETRY": "1"\n  }\n}\n`,
    [join(home, '.codex', 'auth.json')]: `{\n  "OPENAI_API_KEY": "${keys.codex}"\n}`,
    [join(home, '.local', 'share', 'opencode', 'auth.json')]:
      `${JSON.stringify({ openrouter: { type: 'api', key: keys.opencode } }, null, 2)}\n`,
    [join(home, '.claude-code-router', 'config.json')]:
      `{\n  // mine\n  "Providers": [\n    { "name": "work", "api_base_url": "https://example.invalid/v1/chat/completions", "api_key": "${keys.ccr}", "models": ["m-1"] }\n  ],\n  "Router": { "default": "work,m-1" }\n}\n`,
    [join(home, '.claude-code-router', 'logs', 'ccr-20261204.log')]:
      `{"level":30,"msg":"request","headers":{"authorization":"Bearer ${keys.ccr}"}}\n`,
    [join(home, '.codex', 'shell_snapshots', '0199-abc.sh')]:
      `# Snapshot file\nunset -f\ndeclare -x HOME="${home}"\ndeclare -x OPENAI_API_KEY="${keys.snapshot}"\n`,
    [join(home, '.openclaw', 'openclaw.json')]:
      `{\n  // mine\n  models: { providers: { openai: { baseUrl: 'https://example.invalid/v1', apiKey: '${keys.openclaw}' } } },\n}\n`,
  };
  for (const [path, text] of Object.entries(files)) write(path, text, path.includes('auth.json') ? 0o600 : 0o644);
  const geminiStore = join(home, '.gemini', 'gemini-credentials.json');
  write(
    geminiStore,
    sealCredentials({
      'gemini-cli-api-key': { 'default-api-key': JSON.stringify({ token: { accessToken: keys.gemini, tokenType: 'ApiKey' } }) },
    }),
    0o600,
  );
  files[geminiStore] = readFileSync(geminiStore, 'utf8');
  // CC Switch keeps its keys: KeyTray never rewrites its database, so these are the user's own (no canary).
  const ccSwitchKeys = [usersOwnKey('sk-ant-api03-'), usersOwnKey('sk-proj-')];
  await writeCcSwitch(join(home, '.cc-switch', 'cc-switch.db'), [
    {
      id: 'p1',
      app: 'claude',
      name: 'Relay',
      settings: { env: { ANTHROPIC_AUTH_TOKEN: ccSwitchKeys[0], ANTHROPIC_BASE_URL: 'https://relay.invalid' } },
    },
    {
      id: 'p2',
      app: 'codex',
      name: 'OpenAI',
      settings: { auth: { OPENAI_API_KEY: ccSwitchKeys[1] }, config: 'model = "gpt-5"\n' },
    },
    { id: 'p3', app: 'gemini', name: 'Empty', settings: { env: {} } },
  ]);
  const openclawState = usersOwnKey('sk-proj-');
  const SQL = await initSqlJs();
  const state = new SQL.Database();
  state.run('CREATE TABLE config_machine_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
  state.run('INSERT INTO config_machine_state VALUES (?, ?)', [
    'authProfiles.store',
    JSON.stringify({ profiles: { 'openai:default': { type: 'api_key', provider: 'openai', key: openclawState } } }),
  ]);
  mkdirSync(join(home, '.openclaw', 'state'), { recursive: true });
  writeFileSync(join(home, '.openclaw', 'state', 'openclaw.sqlite'), state.export());
  state.close();
  return { t, project, keys, files, ccSwitchKeys, openclawState, unknown };
}

const cli = (s: Seeded) => async (args: string[], input?: string) =>
  runCli([...args], { env: s.t.env, ...(input === undefined ? {} : { input }) });

describe('keytray import', () => {
  it('lists every plaintext key with where it is, whose it is, its mask and whether KeyTray holds it; nothing is written', async () => {
    const s = await seed();
    const run = cli(s);
    expect((await run(['keys', 'add', 'openai', '--label', 'mine'], s.keys.codex)).code).toBe(0);
    const listed = await run(['import', '--cwd', s.project, '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const { keys, unreadable } = JSON.parse(listed.stdout);
    expect(unreadable).toEqual([]);
    const byMask = (secret: string) => keys.filter((k: { masked: string }) => k.masked === maskSecret(secret));
    const home = s.t.root;
    expect(byMask(s.keys.zshrc)).toMatchObject([
      { kind: 'shell', path: join(home, '.zshrc'), line: 2, variable: 'ANTHROPIC_API_KEY', provider: 'anthropic', held: null },
    ]);
    expect(byMask(s.keys.sourced)).toMatchObject([{ kind: 'shell', path: join(home, '.zsh_keys'), line: 2, provider: 'openai' }]);
    expect(byMask(s.keys.dotenv)).toMatchObject([{ kind: 'dotenv', path: join(s.project, '.env'), line: 2, provider: 'gemini' }]);
    expect(byMask(s.keys.claude)).toMatchObject([
      { kind: 'claude-settings', path: join(home, '.claude', 'settings.json'), row: 'user', variable: 'env.ANTHROPIC_API_KEY' },
    ]);
    expect(byMask(s.keys.codex)).toMatchObject([
      { kind: 'agent-store', agent: 'codex', provider: 'openai', held: { provider: 'openai', label: 'mine' } },
    ]);
    expect(byMask(s.keys.opencode)).toMatchObject([{ agent: 'opencode', provider: 'openrouter', variable: 'openrouter.key' }]);
    expect(byMask(s.keys.gemini)).toMatchObject([{ agent: 'gemini-cli', provider: 'gemini' }]);
    expect(byMask(s.keys.ccr)).toMatchObject([
      { kind: 'agent-store', agent: 'claude-code-router', variable: 'Providers[name=work].api_key' },
      { kind: 'agent-log', agent: 'claude-code-router' },
    ]);
    expect(byMask(s.keys.openclaw)).toMatchObject([{ agent: 'openclaw', variable: 'models.providers.openai.apiKey' }]);
    expect(byMask(s.ccSwitchKeys[0] as string)).toMatchObject([
      { kind: 'cc-switch', row: 'providers claude/p1 ("Relay")', variable: 'env.ANTHROPIC_AUTH_TOKEN', provider: 'anthropic' },
    ]);
    expect(byMask(s.ccSwitchKeys[1] as string)).toMatchObject([{ kind: 'cc-switch', variable: 'auth.OPENAI_API_KEY' }]);
    expect(byMask(s.unknown)).toMatchObject([{ variable: 'MY_SERVICE_TOKEN', provider: null }]);
    expect(byMask(s.keys.snapshot)).toMatchObject([{ kind: 'agent-log', agent: 'codex', line: 4, variable: 'OPENAI_API_KEY' }]);
    expect(byMask(s.openclawState)).toMatchObject([
      { agent: 'openclaw', row: 'authProfiles.store profile "openai:default"', provider: 'openai' },
    ]);
    // The here-document's line is data, not an assignment.
    expect(keys.filter((k: { path: string; line?: number }) => k.line === 5)).toEqual([]);
    expect(keys).toHaveLength(15);

    const text = await run(['import', '--cwd', s.project]);
    expect(text.stdout).toContain('15 keys in plaintext on this machine:');
    expect(text.stdout).toContain('(KeyTray holds it: openai/mine)');
    for (const secret of [...Object.values(s.keys), s.unknown, ...s.ccSwitchKeys]) {
      expect(listed.stdout + text.stdout + text.stderr).not.toContain(secret);
    }
    for (const [path, before] of Object.entries(s.files)) expect(readFileSync(path, 'utf8'), path).toBe(before);
    // Leave no test key in this home for the secret scan.
    expect((await run(['import', '--apply', '--cwd', s.project])).code).toBe(0);
  });

  it('--apply moves every key it can judge, leaves nothing readable outside the keychain and sealed backups, and --undo puts the files back', async () => {
    const s = await seed();
    const run = cli(s);
    const applied = await run(['import', '--apply', '--cwd', s.project, '--json']);
    expect(applied.code, applied.stderr + applied.stdout).toBe(0);
    const { moved, skipped } = JSON.parse(applied.stdout);
    expect(moved.filter((m: { error?: unknown }) => m.error)).toEqual([]);
    expect(moved).toHaveLength(14);
    expect(skipped).toMatchObject([{ variable: 'MY_SERVICE_TOKEN', provider: null }]);

    // Every key is in the keychain, read from outside.
    const held = JSON.parse((await run(['keys', 'list', '--json'])).stdout);
    for (const secret of Object.values(s.keys)) {
      const provider = held.providers.find((p: { keys: { masked: string }[] }) =>
        p.keys.some((k) => k.masked === maskSecret(secret)),
      );
      const label = provider.keys.find((k: { masked: string }) => k.masked === maskSecret(secret)).label;
      expect(await secretToolLookup(s.t.service, `${provider.id}/${label}`)).toBe(secret);
    }
    for (const secret of s.ccSwitchKeys) {
      expect(JSON.stringify(held)).toContain(maskSecret(secret));
    }
    const ccTodo = moved.find((m: { path: string }) => m.path.endsWith('cc-switch.db'));
    expect(ccTodo.todo).toContain('KeyTray does not rewrite CC Switch');
    const openclawTodo = moved.find((m: { path: string }) => m.path.endsWith('openclaw.sqlite'));
    expect(openclawTodo.todo).toContain('openclaw models auth logout');
    expect(() => statSync(join(s.t.root, '.codex', 'shell_snapshots', '0199-abc.sh'))).toThrow();

    // Nothing under the home holds a moved key: not the files, not the backups (sealed, 0600), not KeyTray's own files.
    const everything = filesUnder(s.t.root);
    for (const secret of Object.values(s.keys)) {
      for (const file of everything) expect(file.text.includes(secret), `${file.path} holds a key`).toBe(false);
    }
    // CC Switch's database keeps its own, by design; nothing else has them.
    for (const secret of s.ccSwitchKeys) {
      expect(everything.filter((f) => f.text.includes(secret)).map((f) => f.path)).toEqual([
        join(s.t.root, '.cc-switch', 'cc-switch.db'),
      ]);
    }
    const backups = JSON.parse((await run(['backups', '--json'])).stdout).backups;
    for (const b of backups.filter((x: { backup: string | null }) => x.backup)) {
      expect(statSync(b.backup).mode & 0o777).toBe(0o600);
    }
    expect(backups.filter((b: { heldCredential: boolean }) => b.heldCredential).length).toBeGreaterThanOrEqual(7);

    // What stands in each place.
    const zshrc = readFileSync(join(s.t.root, '.zshrc'), 'utf8');
    expect(zshrc).toMatch(/^# ANTHROPIC_API_KEY moved to the KeyTray keychain as anthropic\/zshrc on \d{4}-\d\d-\d\d: /m);
    expect(zshrc).toContain(`export MY_SERVICE_TOKEN=${s.unknown}`);
    expect(readFileSync(join(s.t.root, '.zsh_keys'), 'utf8')).toMatch(
      /^ {2}# OPENAI_API_KEY moved to the KeyTray keychain as openai\/zsh_keys.*\n {2}export OPENAI_API_KEY\nfi\n$/m,
    );
    expect(JSON.parse(readFileSync(join(s.t.root, '.codex', 'auth.json'), 'utf8'))).toEqual({ OPENAI_API_KEY: null });
    expect(readFileSync(join(s.t.root, '.codex', 'config.toml'), 'utf8')).toContain('model_provider = "keytray"');
    expect(JSON.parse(readFileSync(join(s.t.root, '.local', 'share', 'opencode', 'auth.json'), 'utf8'))).toEqual({});
    const claude = JSON.parse(readFileSync(join(s.t.root, '.claude', 'settings.json'), 'utf8'));
    expect(claude.env).toEqual({ DISABLE_TELEMETRY: '1' });
    expect(claude.apiKeyHelper).toContain('anthropic');
    const ccr = readFileSync(join(s.t.root, '.claude-code-router', 'config.json'), 'utf8');
    expect(ccr).toContain('// mine');
    expect(ccr).toMatch(/"name": "work"[^}]*"api_key": "keytray-transformer-sets-the-key"/s);
    expect(() => statSync(join(s.t.root, '.claude-code-router', 'logs', 'ccr-20261204.log'))).toThrow();
    expect(readFileSync(join(s.t.root, '.openclaw', 'openclaw.json'), 'utf8')).toContain('keytray-openai');

    // Nothing left to move but the unknown key and CC Switch's, which KeyTray only stores.
    const again = JSON.parse((await run(['import', '--cwd', s.project, '--json'])).stdout);
    expect(again.keys.map((k: { kind: string; variable: string }) => `${k.kind} ${k.variable}`).sort()).toEqual([
      'agent-store profiles.openai:default.key',
      'cc-switch auth.OPENAI_API_KEY',
      'cc-switch env.ANTHROPIC_AUTH_TOKEN',
      'shell MY_SERVICE_TOKEN',
    ]);

    const undone = await run(['import', '--undo']);
    expect(undone.code, undone.stderr).toBe(0);
    for (const [path, before] of Object.entries(s.files)) {
      if (path.endsWith('.log') || path.endsWith('.sh')) continue; // a deleted log or snapshot has no undo, and says so
      expect(readFileSync(path, 'utf8'), path).toBe(before);
    }
    expect(() => statSync(join(s.t.root, '.codex', 'config.toml'))).toThrow();
    // The keys stay in the keychain.
    expect((await run(['key', 'anthropic', 'zshrc'])).stdout).toBe(s.keys.zshrc);
    // Leave no canary behind in this home for the secret scan: the keys were put back in plaintext by undo.
    expect((await run(['import', '--apply', '--cwd', s.project])).code).toBe(0);
  });

  it('--pick moves only the keys named, and an unknown key with the provider given; bad picks are clear errors that change nothing', async () => {
    const s = await seed();
    const run = cli(s);
    const { keys } = JSON.parse((await run(['import', '--cwd', s.project, '--json'])).stdout);
    const unknown = keys.find((k: { variable: string }) => k.variable === 'MY_SERVICE_TOKEN');
    const zshrc = keys.find((k: { variable: string; kind: string }) => k.variable === 'ANTHROPIC_API_KEY' && k.kind === 'shell');

    const noProvider = await run(['import', '--apply', '--pick', unknown.id]);
    expect(noProvider.code).toBe(2);
    expect(noProvider.stderr).toContain(`Name its provider: --pick ${unknown.id}:<provider>.`);
    const badProvider = await run(['import', '--apply', '--pick', `${unknown.id}:acme`]);
    expect(badProvider.code).toBe(2);
    expect(badProvider.stderr).toContain('Unknown provider "acme"');
    const badId = await run(['import', '--apply', '--pick', 'zzzz']);
    expect(badId.code).toBe(2);
    const gone = await run(['import', '--apply', '--pick', '0123abcd']);
    expect(gone.code).toBe(3);
    const both = await run(['import', '--apply', '--undo']);
    expect(both.code).toBe(2);
    for (const [path, before] of Object.entries(s.files)) expect(readFileSync(path, 'utf8'), path).toBe(before);
    for (const result of [noProvider, badProvider, badId, gone]) expect(result.stderr + result.stdout).not.toContain(s.unknown);

    const picked = await run(['import', '--apply', '--pick', `${unknown.id}:openai,${zshrc.id}`, '--cwd', s.project, '--json']);
    expect(picked.code, picked.stderr).toBe(0);
    const movedNow = JSON.parse(picked.stdout).moved;
    const skippedNow = JSON.parse(picked.stdout).skipped.map((k: { id: string }) => k.id);
    expect(skippedNow).not.toContain(zshrc.id);
    expect(skippedNow).not.toContain(unknown.id);
    expect(skippedNow).toHaveLength(keys.length - 2);
    expect(movedNow).toHaveLength(2);
    expect(movedNow.find((m: { id: string }) => m.id === zshrc.id)).toMatchObject({
      key: { provider: 'anthropic', label: 'zshrc' },
    });
    expect(movedNow.find((m: { id: string }) => m.id === unknown.id)).toMatchObject({
      key: { provider: 'openai', label: 'zshrc' },
    });
    expect(readFileSync(join(s.t.root, '.zshrc'), 'utf8')).not.toContain(s.unknown);
    expect(readFileSync(join(s.t.root, '.zsh_keys'), 'utf8')).toBe(s.files[join(s.t.root, '.zsh_keys')]);
    expect((await run(['import', '--apply', '--cwd', s.project])).code).toBe(0);
  });

  it('a key changed since the listing is not touched, with a sentence; a log holding an unpicked key is not deleted', async () => {
    const s = await seed();
    const run = cli(s);
    const { keys } = JSON.parse((await run(['import', '--cwd', s.project, '--json'])).stdout);
    const claude = keys.find((k: { kind: string }) => k.kind === 'claude-settings');
    const log = keys.find((k: { kind: string; agent: string }) => k.kind === 'agent-log' && k.agent === 'claude-code-router');
    // The log holds ccr's config key and, below, a second one: picking only one of them leaves the log as it is.
    const second = fakeOpenAIKey();
    writeFileSync(log.path, `${readFileSync(log.path, 'utf8')}{"headers":{"x-api-key":"${second}"}}\n`);
    const { keys: now } = JSON.parse((await run(['import', '--cwd', s.project, '--json'])).stdout);
    const logKeys = now.filter((k: { path: string }) => k.path === log.path);
    expect(logKeys).toHaveLength(2);
    const partial = await run(['import', '--apply', '--pick', logKeys[0].id, '--json']);
    expect(partial.code).toBe(5);
    expect(JSON.parse(partial.stdout).moved[0].error.message).toContain('which was not picked');
    expect(partial.stdout).not.toContain(second);
    expect(statSync(log.path).isFile()).toBe(true);

    // The key in the settings file changes between the listing and --apply: the id named is gone, nothing is written.
    const replacement = fakeAnthropicKey();
    writeFileSync(claude.path, readFileSync(claude.path, 'utf8').replace(s.keys.claude, replacement));
    const edited = readFileSync(claude.path, 'utf8');
    const stale = await run(['import', '--apply', '--pick', claude.id]);
    expect(stale.code).toBe(3);
    expect(stale.stderr).toContain(`No plaintext key has the id "${claude.id}"`);
    expect(readFileSync(claude.path, 'utf8')).toBe(edited);
    expect((await run(['import', '--apply', '--cwd', s.project])).code).toBe(0);
  });

  it('--undo stops at a file changed since, says which, and goes on once it is put back', async () => {
    const s = await seed();
    const run = cli(s);
    expect((await run(['import', '--apply', '--cwd', s.project])).code).toBe(0);
    const zshrc = join(s.t.root, '.zshrc');
    const imported = readFileSync(zshrc, 'utf8');
    writeFileSync(zshrc, `${imported}alias gs='git status'\n`);
    const refused = await run(['import', '--undo']);
    expect(refused.code).toBe(7);
    expect(refused.stderr).toContain(`${zshrc} was changed after KeyTray wrote it`);
    // Every later change was put back; .zshrc, the first one written, is still KeyTray's.
    expect(readFileSync(join(s.t.root, '.zsh_keys'), 'utf8')).toBe(s.files[join(s.t.root, '.zsh_keys')]);
    expect(readFileSync(zshrc, 'utf8')).toContain('moved to the KeyTray keychain');

    writeFileSync(zshrc, imported);
    const resumed = await run(['import', '--undo', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toEqual({ restored: [zshrc] });
    expect(readFileSync(zshrc, 'utf8')).toBe(s.files[zshrc]);
    expect((await run(['import', '--undo'])).code).toBe(3);
    expect((await run(['import', '--apply', '--cwd', s.project])).code).toBe(0);
  });

  it("reads a linked startup file through its link and writes the real file, and zsh's files where $ZDOTDIR says; a damaged CC Switch database is named, the rest still listed", async () => {
    const t = makeTestEnv();
    const run = cli({ t } as Seeded);
    const key = fakeAnthropicKey();
    // A dotfile manager's layout: ~/.bashrc links to the real file in its repository.
    const real = join(t.root, 'dotfiles', 'bashrc');
    write(real, `# managed\nexport ANTHROPIC_API_KEY=${key}\n`);
    symlinkSync(real, join(t.root, '.bashrc'));
    // zsh's own files where $ZDOTDIR says.
    const zshKey = fakeOpenAIKey();
    write(join(t.root, '.config', 'zsh', '.zshrc'), `export OPENAI_API_KEY=${zshKey}\n`);
    write(
      join(t.root, '.cc-switch', 'cc-switch.db'),
      'this is not a database, but it is long enough to be read as one\n'.repeat(20),
    );

    const zdotdir = { ...t.env, ZDOTDIR: join(t.root, '.config', 'zsh') };
    const listed = JSON.parse((await runCli(['import', '--json'], { env: zdotdir })).stdout);
    expect(listed.keys).toMatchObject([
      { kind: 'shell', path: join(t.root, '.bashrc'), line: 2, provider: 'anthropic' },
      { kind: 'shell', path: join(t.root, '.config', 'zsh', '.zshrc'), line: 1, provider: 'openai' },
    ]);
    expect(listed.unreadable).toEqual([
      {
        path: "CC Switch's database",
        problem: `${join(t.root, '.cc-switch', 'cc-switch.db')} cannot be read as CC Switch's database (no providers table in SQLite form).`,
      },
    ]);
    expect((await run(['import'])).stdout).toContain("! CC Switch's database: ");

    const applied = await runCli(['import', '--apply', '--json'], { env: zdotdir });
    expect(applied.code, applied.stderr).toBe(0);
    expect(readFileSync(join(t.root, '.config', 'zsh', '.zshrc'), 'utf8')).not.toContain(zshKey);
    expect(lstatSync(join(t.root, '.bashrc')).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toMatch(
      /^# managed\n# ANTHROPIC_API_KEY moved to the KeyTray keychain as anthropic\/bashrc/,
    );
    expect(readFileSync(real, 'utf8')).not.toContain(key);
    expect(await secretToolLookup(t.service, 'anthropic/bashrc')).toBe(key);
  });
});
