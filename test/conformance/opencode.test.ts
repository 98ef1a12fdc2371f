/**
 * KeyTray and the real OpenCode (the pinned opencode-ai), offline: `opencode
 * run` against fake upstreams on 127.0.0.1 (OpenRouter's Chat Completions,
 * an OpenAI-compatible API, and Anthropic's Messages API), in a throw-away
 * HOME. OpenCode is kept off the network: no models.dev fetch, no
 * autoupdate, no default plugins, and its background npm install of
 * @opencode-ai/plugin pointed at a closed local port, offline.
 * The upstream must receive exactly the keychain's key (helper mode) or the
 * key injected by KeyTray's proxy while OpenCode holds only a token (proxy
 * mode); nothing under the test's folders, OpenCode's log and database
 * included, may hold the key; the picture must say what OpenCode sent.
 */
import { execFile } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskSecret } from '../../shared/mask';
import { agentEnv, filesUnder, keytrayIn, OPENCODE_OFFLINE } from '../support/agent-world';
import { runCli } from '../support/cli';
import { startCliProxy } from '../support/cli-proxy';
import { type FakeAnthropic, startFakeAnthropic } from '../support/fake-anthropic';
import { type FakeUpstream, startFakeChatCompletions, startFakeOpenAI } from '../support/fake-upstream';
import { freePort } from '../support/ports';
import { fakeAnthropicKey, fakeOpenAIKey, makeTestEnv, type TestEnv, usersOwnKey } from '../support/test-env';

const require = createRequire(import.meta.url);

/** The pinned OpenCode's native binary. */
function openCodeBin(): string {
  return join(dirname(require.resolve('opencode-ai/package.json')), 'bin', 'opencode.exe');
}

/** An OpenRouter key's shape (sk-or-v1- and 64 more), random, with the canary. */
function fakeOpenRouterKey(): string {
  const hex = Array.from({ length: 56 }, () => Math.floor(Math.random() * 16).toString(16)).join('');
  return `sk-or-v1-KTCANARY${hex}`;
}

const OPENROUTER_MODEL = 'openrouter/openai/gpt-4o-mini';
const ANTHROPIC_MODEL = 'anthropic/claude-sonnet-4-5';

/** What the user already had: comments and a trailing comma (OpenCode reads both), and settings of their own. */
function userConfig(model: string): string {
  return `{
  // My OpenCode settings, written by hand
  "$schema": "https://opencode.ai/config.json",
  "model": "${model}", // the one I like
  "autoupdate": false,
  "share": "disabled",
}
`;
}

let openrouter: FakeUpstream;
let openai: FakeUpstream;
let anthropic: FakeAnthropic;
beforeAll(async () => {
  [openrouter, openai, anthropic] = await Promise.all([startFakeChatCompletions(), startFakeOpenAI(), startFakeAnthropic()]);
});
afterAll(async () => {
  await Promise.all([openrouter.close(), openai.close(), anthropic.close()]);
});

interface OpenCodeWorld {
  t: TestEnv;
  configDir: string;
  config: string;
  plugin: string;
  dataDir: string;
  project: string;
  env: NodeJS.ProcessEnv;
  cli(args: string[], input?: string): Promise<{ stdout: string; stderr: string }>;
}

function world(model: string): OpenCodeWorld {
  const t = makeTestEnv();
  const configDir = join(t.configHome, 'opencode');
  mkdirSync(configDir, { recursive: true });
  const config = join(configDir, 'opencode.json');
  writeFileSync(config, userConfig(model));
  const project = join(t.root, 'project');
  mkdirSync(project);
  // OpenCode's temporary files (Bun unpacks a native library there) land inside the folder searched for the key.
  const tmp = join(t.root, 'tmp');
  mkdirSync(tmp);
  const env = agentEnv(t, {
    TMPDIR: tmp,
    ...OPENCODE_OFFLINE,
  });
  return {
    t,
    configDir,
    config,
    plugin: join(configDir, 'plugins', 'keytray.js'),
    dataDir: join(t.root, '.local', 'share', 'opencode'),
    project,
    env,
    cli: keytrayIn(env, ['--cwd', project]),
  };
}

/** keytray commands that take no --cwd. */
function plainCli(w: OpenCodeWorld) {
  return keytrayIn(w.env);
}

function runOpenCode(w: OpenCodeWorld): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      openCodeBin(),
      ['run', 'say hi'],
      { env: w.env, cwd: w.project, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

function expectNowhere(w: OpenCodeWorld, key: string, also: string[]): void {
  // The whole throw-away HOME: OpenCode's config, data (log, database), state and cache, and KeyTray's own files.
  const files = filesUnder(w.t.root);
  expect(files.some((f) => f.path.startsWith(join(w.dataDir, 'log')))).toBe(true);
  expect(files.some((f) => f.path === join(w.dataDir, 'opencode.db'))).toBe(true);
  for (const file of files) expect(file.text.includes(key), `${file.path} holds the key`).toBe(false);
  expect(JSON.stringify(w.env)).not.toContain(key);
  for (const text of also) expect(text).not.toContain(key);
}

// Each opencode run takes seconds (10 to 20 on a loaded 2-core machine): the default 30 s is too short for two.
describe('OpenCode, for real', { timeout: 180_000 }, () => {
  it('helper mode, OpenAI-compatible (OpenRouter): opencode run sends exactly the keychain key; nothing holds it; --undo is byte-exact', async () => {
    const w = world(OPENROUTER_MODEL);
    const key = fakeOpenRouterKey();
    await plainCli(w)(['keys', 'add', 'openrouter', '--label', 'work'], key);
    await plainCli(w)(['provider', 'set', 'openrouter', '--base-url', `${openrouter.url}/api`]);
    const configured = JSON.parse((await w.cli(['configure', 'opencode', '--provider', 'openrouter', '--json'])).stdout);
    expect(configured).toMatchObject({ agent: 'opencode', path: w.config, written: true, binding: { provider: 'openrouter' } });
    expect(configured.picture.headers.authorization).toMatchObject({ source: 'KeyTray plugin', masked: maskSecret(key) });
    const written = readFileSync(w.config, 'utf8');
    expect(written.startsWith('{\n  // My OpenCode settings, written by hand\n')).toBe(true);
    expect(written).toContain(`"model": "${OPENROUTER_MODEL}", // the one I like`);
    expect(JSON.stringify(configured)).not.toContain(key);
    const plugin = readFileSync(w.plugin, 'utf8');
    expect(plugin).not.toContain(key);

    const before = openrouter.requests.length;
    const run = await runOpenCode(w);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('pong');
    const sent = openrouter.requests.slice(before).filter((r) => r.method === 'POST');
    expect(sent.length).toBeGreaterThan(0);
    for (const request of sent) {
      expect(request.url).toBe('/api/v1/chat/completions');
      expect(request.headers.authorization).toBe(`Bearer ${key}`);
    }
    expectNowhere(w, key, [written, plugin, run.stdout, run.stderr]);

    const status = JSON.parse((await w.cli(['status', '--agent', 'opencode', '--json'])).stdout);
    expect(status).toMatchObject({
      tool: 'opencode',
      provider: 'openrouter',
      destination: `${openrouter.url}/api/v1`,
      winner: 'KeyTray plugin',
    });
    expect(status.headers.authorization.masked).toBe(maskSecret(key));
    expect(status.warnings).toEqual([]);

    await w.cli(['configure', 'opencode', '--undo']);
    expect(readFileSync(w.config, 'utf8')).toBe(userConfig(OPENROUTER_MODEL));
    expect(() => lstatSync(w.plugin)).toThrow();
  });

  it('helper mode, Anthropic: the key travels in x-api-key, nowhere else', async () => {
    const w = world(ANTHROPIC_MODEL);
    const key = fakeAnthropicKey();
    await plainCli(w)(['keys', 'add', 'anthropic', '--label', 'work'], key);
    await plainCli(w)(['provider', 'set', 'anthropic', '--base-url', anthropic.url]);
    // No --provider: the provider of the model opencode.json selects.
    await w.cli(['configure', 'opencode']);
    const before = anthropic.requests.length;
    const run = await runOpenCode(w);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('pong');
    const sent = anthropic.requests.slice(before).filter((r) => r.method === 'POST');
    expect(sent.length).toBeGreaterThan(0);
    for (const request of sent) {
      expect(request.url).toBe('/v1/messages');
      expect(request.headers['x-api-key']).toBe(key);
      expect(request.headers.authorization).toBeUndefined();
    }
    expectNowhere(w, key, [run.stdout, run.stderr]);
    const status = JSON.parse((await w.cli(['status', '--agent', 'opencode', '--json'])).stdout);
    expect(status).toMatchObject({ provider: 'anthropic', destination: `${anthropic.url}/v1`, winner: 'KeyTray plugin' });
    expect(status.headers['x-api-key'].masked).toBe(maskSecret(key));
  });

  it("helper mode, OpenAI's built-in provider (Responses API): the key travels as a bearer token", async () => {
    const w = world('openai/gpt-5');
    const key = fakeOpenAIKey();
    await plainCli(w)(['keys', 'add', 'openai', '--label', 'work'], key);
    await plainCli(w)(['provider', 'set', 'openai', '--base-url', openai.url]);
    await w.cli(['configure', 'opencode']);
    const before = openai.requests.length;
    const run = await runOpenCode(w);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('pong');
    const sent = openai.requests.slice(before).filter((r) => r.method === 'POST');
    expect(sent.length).toBeGreaterThan(0);
    for (const request of sent) {
      expect(request.url).toBe('/v1/responses');
      expect(request.headers.authorization).toBe(`Bearer ${key}`);
    }
    expectNowhere(w, key, [run.stdout, run.stderr]);
    const status = JSON.parse((await w.cli(['status', '--agent', 'opencode', '--json'])).stdout);
    expect(status).toMatchObject({ provider: 'openai', destination: `${openai.url}/v1`, winner: 'KeyTray plugin' });
  });

  for (const shape of ['openrouter', 'anthropic'] as const) {
    it(`proxy mode (${shape}): OpenCode holds only a token, the upstream receives the key through the proxy`, async () => {
      const w = world(shape === 'openrouter' ? OPENROUTER_MODEL : ANTHROPIC_MODEL);
      const key = shape === 'openrouter' ? fakeOpenRouterKey() : fakeAnthropicKey();
      const upstream = shape === 'openrouter' ? openrouter : anthropic;
      await plainCli(w)(['keys', 'add', shape, '--label', 'work'], key);
      await plainCli(w)([
        'provider',
        'set',
        shape,
        '--base-url',
        shape === 'openrouter' ? `${openrouter.url}/api` : anthropic.url,
      ]);
      const proxy = await startCliProxy(w.env);
      try {
        const configured = JSON.parse(
          (await w.cli(['configure', 'opencode', '--provider', shape, '--mode', 'proxy', '--json'])).stdout,
        );
        const header = shape === 'openrouter' ? 'authorization' : 'x-api-key';
        expect(configured.picture.headers[header]).toMatchObject({ masked: expect.stringMatching(/^ktp_…/) });
        const written = readFileSync(w.config, 'utf8');
        expect(written).toContain(`"baseURL": "http://127.0.0.1:${proxy.port}/${shape}/v1"`);
        expect(readFileSync(w.plugin, 'utf8')).toContain('"args":["--proxy-token"]');

        const before = upstream.requests.length;
        const run = await runOpenCode(w);
        expect(run.code, run.stderr).toBe(0);
        expect(run.stdout).toContain('pong');
        const sent = upstream.requests.slice(before).filter((r) => r.method === 'POST');
        expect(sent.length).toBeGreaterThan(0);
        for (const request of sent) {
          if (shape === 'openrouter') expect(request.headers.authorization).toBe(`Bearer ${key}`);
          else expect(request.headers['x-api-key']).toBe(key);
        }
        expectNowhere(w, key, [written, run.stdout, run.stderr, JSON.stringify(configured)]);
        const status = JSON.parse((await w.cli(['status', '--agent', 'opencode', '--json'])).stdout);
        expect(status.winner).toBe('KeyTray plugin');
        expect(status.warnings.map((x: { code: string }) => x.code)).not.toContain('proxy-not-running');
      } finally {
        proxy.stop();
      }
    });
  }

  it('moving the proxy to another port rewrites the base URL and the plugin', async () => {
    const w = world(ANTHROPIC_MODEL);
    await plainCli(w)(['keys', 'add', 'anthropic', '--label', 'work'], fakeAnthropicKey());
    const [first, second] = [await freePort(), await freePort()];
    await plainCli(w)(['proxy', 'port', String(first)]);
    await w.cli(['configure', 'opencode', '--provider', 'anthropic', '--mode', 'proxy']);
    expect(readFileSync(w.config, 'utf8')).toContain(`"baseURL": "http://127.0.0.1:${first}/anthropic/v1"`);
    await plainCli(w)(['proxy', 'port', String(second)]);
    const config = readFileSync(w.config, 'utf8');
    expect(config).toContain(`"baseURL": "http://127.0.0.1:${second}/anthropic/v1"`);
    expect(config.match(/"baseURL"/g)).toHaveLength(1);
    expect(readFileSync(w.plugin, 'utf8')).toContain(`"baseURL":"http://127.0.0.1:${second}/anthropic/v1"`);
  });

  it('remove takes out exactly what KeyTray put in (and its plugin), keeping the edits made since', async () => {
    const w = world(OPENROUTER_MODEL);
    await plainCli(w)(['keys', 'add', 'openrouter', '--label', 'work'], fakeOpenRouterKey());
    await w.cli(['configure', 'opencode', '--provider', 'openrouter']);
    // The user edits the file after KeyTray wrote it: remove must keep that edit.
    const edited = readFileSync(w.config, 'utf8').replace('"autoupdate": false', '"autoupdate": false,\n  "snapshot": false');
    writeFileSync(w.config, edited);
    const removed = JSON.parse((await w.cli(['configure', 'opencode', '--remove', '--json'])).stdout);
    expect(removed).toMatchObject({ action: 'remove', written: true, binding: null });
    expect(readFileSync(w.config, 'utf8')).toBe(
      userConfig(OPENROUTER_MODEL).replace('"autoupdate": false', '"autoupdate": false,\n  "snapshot": false'),
    );
    expect(() => lstatSync(w.plugin)).toThrow();
    const meta = JSON.parse(readFileSync(w.t.metadataPath, 'utf8'));
    expect(meta.bindings.opencode).toEqual({});
    // The removal is undone like any write: the plugin comes back.
    await w.cli(['configure', 'opencode', '--undo']);
    expect(readFileSync(w.plugin, 'utf8')).toContain('KeyTray');
  });

  it('remove puts back the base URL and the {env:…} key reference KeyTray replaced', async () => {
    const w = world(OPENROUTER_MODEL);
    const mine = userConfig(OPENROUTER_MODEL).replace(
      '"share"',
      '"provider": {\n    "openrouter": {\n      "options": { "baseURL": "https://gateway.example/api/v1", "apiKey": "{env:MY_OPENROUTER}", "timeout": 60000 }\n    }\n  },\n  "share"',
    );
    writeFileSync(w.config, mine);
    await plainCli(w)(['keys', 'add', 'openrouter', '--label', 'work'], fakeOpenRouterKey());
    await w.cli(['configure', 'opencode']);
    const configured = readFileSync(w.config, 'utf8');
    expect(configured).toContain('"apiKey": "keytray-plugin", "timeout": 60000');
    expect(configured).not.toContain('gateway.example');
    await w.cli(['configure', 'opencode', '--remove']);
    expect(readFileSync(w.config, 'utf8')).toBe(mine);
  });

  it('a malformed opencode.json gets a clear error with line and column, never its text, and is left untouched', async () => {
    const w = world(OPENROUTER_MODEL);
    const key = usersOwnKey('sk-or-v1-');
    const broken = `{\n  "model": "${OPENROUTER_MODEL}",\n  "provider": { "openrouter": { "options": { "apiKey": "${key}" } } \n`;
    writeFileSync(w.config, broken);
    await plainCli(w)(['keys', 'add', 'openrouter', '--label', 'work'], fakeOpenRouterKey());
    const result = await runCli(['configure', 'opencode', '--provider', 'openrouter', '--cwd', w.project], { env: w.env });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(
      /opencode\.json is not valid JSON \(with comments and trailing commas\): .* at line \d+, column \d+/,
    );
    expect(result.stderr + result.stdout).not.toContain(key);
    expect(readFileSync(w.config, 'utf8')).toBe(broken);
    expect(() => lstatSync(w.plugin)).toThrow();
  });

  it('sees what OpenCode leaks: a plaintext auth.json (moved into the keychain with --import-key) and an echoed key in its log and database', async () => {
    const w = world(OPENROUTER_MODEL);
    const key = fakeOpenRouterKey();
    const echoing = await startFakeChatCompletions(401);
    try {
      // OpenCode's own login store, as `opencode auth login` writes it; the upstream echoes the key in its 401.
      mkdirSync(w.dataDir, { recursive: true });
      writeFileSync(join(w.dataDir, 'auth.json'), `${JSON.stringify({ openrouter: { type: 'api', key } }, null, 2)}\n`, {
        mode: 0o600,
      });
      writeFileSync(
        w.config,
        userConfig(OPENROUTER_MODEL).replace(
          '"share"',
          `"provider": { "openrouter": { "options": { "baseURL": "${echoing.url}/api/v1" } } },\n  "share"`,
        ),
      );
      const status = JSON.parse((await w.cli(['status', '--agent', 'opencode', '--json'])).stdout);
      expect(status).toMatchObject({ provider: 'openrouter', winner: 'auth.json' });
      expect(status.headers.authorization.masked).toBe(maskSecret(key));
      expect(status.warnings.map((x: { code: string }) => x.code)).toContain('plaintext-key-in-auth-json');

      const run = await runOpenCode(w);
      expect(echoing.requests.filter((r) => r.method === 'POST')[0]?.headers.authorization).toBe(`Bearer ${key}`);
      expect(run.stdout + run.stderr).toContain('Incorrect API key');

      // Into the keychain: KeyTray now knows the key by fingerprint, and finds it in OpenCode's log and database.
      const moved = JSON.parse(
        (await w.cli(['configure', 'opencode', '--import-key', '--label', 'from-opencode', '--json'])).stdout,
      );
      expect(moved).toMatchObject({ imported: true, key: { provider: 'openrouter', label: 'from-opencode' } });
      expect(moved.diff).not.toContain(key);
      expect(JSON.parse(readFileSync(join(w.dataDir, 'auth.json'), 'utf8'))).toEqual({});
      expect((await plainCli(w)(['key', 'openrouter', 'from-opencode'])).stdout).toBe(key);

      const after = await w.cli(['status', '--agent', 'opencode', '--json']);
      expect(after.stdout).not.toContain(key);
      const leaks: { message: string }[] = JSON.parse(after.stdout).warnings.filter(
        (x: { code: string }) => x.code === 'agent-log-holds-key',
      );
      // The database always has it (SQLite writes at once); the log only when OpenCode flushed it before exiting,
      // which it does not always do. The picture must name exactly the files that hold it, whichever they are.
      const holding = filesUnder(w.dataDir)
        .filter((f) => f.text.includes(key))
        .map((f) => f.path)
        .sort();
      expect(holding.some((path) => /opencode\.db(-wal)?$/.test(path))).toBe(true);
      expect(leaks.map((x) => x.message.split(' holds ')[0]).sort()).toEqual(holding);
      for (const leak of leaks) expect(leak.message).toContain("holds KeyTray's key openrouter/from-opencode");
    } finally {
      await echoing.close();
      rmSync(w.t.root, { recursive: true, force: true });
    }
  });
});
