/**
 * KeyTray and the real Codex CLI (the pinned @openai/codex), offline: `codex
 * exec` against a fake Responses API on 127.0.0.1, in a throw-away HOME. The
 * upstream must receive exactly the keychain's key (helper mode) or the key
 * injected by KeyTray's proxy while Codex holds only a token (proxy mode);
 * no file under the Codex home and no environment variable may hold the key;
 * and the picture must say what Codex really sent.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskSecret } from '../../shared/mask';
import { agentEnv, filesUnder, keytrayIn } from '../support/agent-world';
import { runCli } from '../support/cli';
import { startCliProxy } from '../support/cli-proxy';
import { CODEX_MODEL, type FakeUpstream, startFakeOpenAI } from '../support/fake-upstream';
import { fakeOpenAIKey, makeTestEnv, type TestEnv } from '../support/test-env';

const require = createRequire(import.meta.url);

/** The pinned Codex's own launcher (it execs the platform's native binary). */
function codexBin(): string {
  return join(dirname(require.resolve('@openai/codex/package.json')), 'bin', 'codex.js');
}

/** What the user already had: comments, tables of their own, and what keeps codex offline. */
const USER_CONFIG = `# My Codex settings, written by hand
model = "${CODEX_MODEL}" # the one I like

[analytics]
enabled = false

[features]
plugins = false # no plugin marketplace
shell_snapshot = false

[model_providers.mine]
name = "Mine"
base_url = "https://example.invalid/v1"
`;

let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await startFakeOpenAI();
});
afterAll(async () => {
  await upstream.close();
});

interface CodexWorld {
  t: TestEnv;
  codexHome: string;
  config: string;
  /** The environment codex runs with: a HOME, a PATH, the private keyring's bus, nothing else. */
  env: NodeJS.ProcessEnv;
  cli(args: string[], input?: string): Promise<{ stdout: string; stderr: string }>;
}

function world(): CodexWorld {
  const t = makeTestEnv();
  const codexHome = join(t.root, '.codex');
  mkdirSync(codexHome);
  const config = join(codexHome, 'config.toml');
  writeFileSync(config, USER_CONFIG);
  const env = agentEnv(t, { CODEX_HOME: codexHome });
  return { t, codexHome, config, env, cli: keytrayIn(env) };
}

function runCodex(w: CodexWorld): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [codexBin(), 'exec', '--skip-git-repo-check', '--ephemeral', 'say hi'],
      { env: w.env, cwd: w.t.root, timeout: 90_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

function expectNowhere(w: CodexWorld, key: string, also: string[]): void {
  for (const file of filesUnder(w.codexHome)) expect(file.text.includes(key), `${file.path} holds the key`).toBe(false);
  expect(JSON.stringify(w.env)).not.toContain(key);
  for (const text of also) expect(text).not.toContain(key);
}

describe('Codex CLI, for real', () => {
  it('helper mode: codex exec sends exactly the keychain key; no file or variable holds it; --undo is byte-exact', async () => {
    const w = world();
    const key = fakeOpenAIKey();
    await w.cli(['keys', 'add', 'openai', '--label', 'work'], key);
    await w.cli(['provider', 'set', 'openai', '--base-url', upstream.url]);
    const configured = JSON.parse((await w.cli(['configure', 'codex', '--json'])).stdout);
    expect(configured).toMatchObject({ agent: 'codex', path: w.config, written: true, binding: { provider: 'openai' } });
    expect(configured.picture.headers.authorization).toMatchObject({ source: 'auth command', masked: maskSecret(key) });
    const written = readFileSync(w.config, 'utf8');
    expect(
      written.startsWith(
        `# My Codex settings, written by hand\nmodel = "${CODEX_MODEL}" # the one I like\nmodel_provider = "keytray"\n`,
      ),
    ).toBe(true);
    expect(written).toContain('plugins = false # no plugin marketplace');

    const before = upstream.requests.length;
    const run = await runCodex(w);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('pong');
    const sent = upstream.requests.slice(before);
    const responses = sent.filter((r) => r.method === 'POST' && r.url.startsWith('/v1/responses'));
    expect(responses.length).toBeGreaterThan(0);
    for (const request of sent) expect(request.headers.authorization).toBe(`Bearer ${key}`);
    expectNowhere(w, key, [written, run.stdout, run.stderr, JSON.stringify(configured)]);

    // The picture names what codex sent.
    const status = JSON.parse((await w.cli(['status', '--agent', 'codex', '--json'])).stdout);
    expect(status).toMatchObject({
      tool: 'codex',
      provider: 'keytray',
      destination: `${upstream.url}/v1`,
      winner: 'auth command',
    });
    expect(status.headers.authorization.masked).toBe(maskSecret(key));

    await w.cli(['configure', 'codex', '--undo']);
    expect(readFileSync(w.config, 'utf8')).toBe(USER_CONFIG);
  });

  it('proxy mode: codex holds only a token, the upstream receives the key through the proxy', async () => {
    const w = world();
    const key = fakeOpenAIKey();
    await w.cli(['keys', 'add', 'openai', '--label', 'work'], key);
    await w.cli(['provider', 'set', 'openai', '--base-url', upstream.url]);
    const proxy = await startCliProxy(w.env);
    try {
      const configured = JSON.parse((await w.cli(['configure', 'codex', '--mode', 'proxy', '--json'])).stdout);
      expect(configured.picture.headers.authorization).toMatchObject({ masked: expect.stringMatching(/^ktp_…/) });
      const written = readFileSync(w.config, 'utf8');
      expect(written).toContain(`base_url = "http://127.0.0.1:${proxy.port}/openai/v1"`);
      expect(written).toContain('args = ["--proxy-token"]');

      const before = upstream.requests.length;
      const run = await runCodex(w);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('pong');
      const sent = upstream.requests.slice(before);
      expect(sent.some((r) => r.method === 'POST' && r.url === '/v1/responses')).toBe(true);
      for (const request of sent) expect(request.headers.authorization).toBe(`Bearer ${key}`);
      expectNowhere(w, key, [written, run.stdout, run.stderr, JSON.stringify(configured)]);
      const status = JSON.parse((await w.cli(['status', '--agent', 'codex', '--json'])).stdout);
      expect(status.warnings.map((x: { code: string }) => x.code)).not.toContain('proxy-not-running');
    } finally {
      proxy.stop();
    }
  });

  it('a provider of your own that speaks the OpenAI API: codex exec reaches its base URL with its key, in helper and in proxy mode', async () => {
    const w = world();
    const base = `${upstream.url}/gateway`;
    await w.cli(['provider', 'add', 'gateway', '--label', 'Gateway', '--api', 'openai', '--base-url', base]);
    const key = fakeOpenAIKey();
    await w.cli(['keys', 'add', 'gateway', '--label', 'work'], key);
    const configured = JSON.parse((await w.cli(['configure', 'codex', '--provider', 'gateway', '--json'])).stdout);
    expect(configured.binding).toMatchObject({ provider: 'gateway' });
    expect(readFileSync(w.config, 'utf8')).toContain(`base_url = "${base}/v1"`);
    let before = upstream.requests.length;
    let run = await runCodex(w);
    expect(run.code, run.stderr).toBe(0);
    let sent = upstream.requests.slice(before);
    expect(sent.some((r) => r.method === 'POST' && r.url === '/gateway/v1/responses')).toBe(true);
    for (const request of sent) expect(request.headers.authorization).toBe(`Bearer ${key}`);

    // A provider that takes x-api-key: Codex sends Bearer, so helper mode is refused, and proxy mode sends the right header.
    await w.cli([
      'provider',
      'add',
      'keyed',
      '--label',
      'Keyed',
      '--api',
      'openai',
      '--base-url',
      `${upstream.url}/keyed`,
      '--auth',
      'x-api-key',
    ]);
    const other = fakeOpenAIKey();
    await w.cli(['keys', 'add', 'keyed', '--label', 'work'], other);
    const refused = await runCli(['configure', 'codex', '--provider', 'keyed'], { env: w.env });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('Use --mode proxy');
    const proxy = await startCliProxy(w.env);
    try {
      await w.cli(['configure', 'codex', '--provider', 'keyed', '--mode', 'proxy']);
      before = upstream.requests.length;
      run = await runCodex(w);
      expect(run.code, run.stderr).toBe(0);
      sent = upstream.requests.slice(before);
      expect(sent.some((r) => r.method === 'POST' && r.url === '/keyed/v1/responses')).toBe(true);
      for (const request of sent) {
        expect(request.headers['x-api-key']).toBe(other);
        expect(request.headers.authorization).toBeUndefined();
      }
      expectNowhere(w, other, [run.stdout, run.stderr]);
    } finally {
      proxy.stop();
    }
  });

  it('remove takes out exactly what KeyTray put in, and gives back the model_provider it replaced', async () => {
    const w = world();
    writeFileSync(w.config, `model_provider = "mine"\n${USER_CONFIG}`);
    await w.cli(['keys', 'add', 'openai', '--label', 'work'], fakeOpenAIKey());
    await w.cli(['configure', 'codex']);
    // The user edits the file after KeyTray wrote it: remove must keep that edit.
    writeFileSync(w.config, `${readFileSync(w.config, 'utf8')}\n[history]\npersistence = "none"\n`);
    const removed = JSON.parse((await w.cli(['configure', 'codex', '--remove', '--json'])).stdout);
    expect(removed).toMatchObject({ action: 'remove', written: true, binding: null });
    expect(readFileSync(w.config, 'utf8')).toBe(`model_provider = "mine"\n${USER_CONFIG}\n[history]\npersistence = "none"\n`);
    const meta = JSON.parse(readFileSync(w.t.metadataPath, 'utf8'));
    expect(meta.bindings.codex).toEqual({});
  });

  it('the picture follows what codex does with a plaintext auth.json key, and --import-key moves it into the keychain', async () => {
    const w = world();
    const key = fakeOpenAIKey();
    writeFileSync(w.config, USER_CONFIG.replace('[analytics]', `openai_base_url = "${upstream.url}/v1"\n\n[analytics]`));
    const login = await new Promise<number>((resolve) => {
      const child = execFile(
        process.execPath,
        [codexBin(), 'login', '--with-api-key'],
        { env: w.env, timeout: 60_000 },
        (error) => resolve(error ? 1 : 0),
      );
      child.stdin?.end(key);
    });
    expect(login).toBe(0);
    const status = JSON.parse((await w.cli(['status', '--agent', 'codex', '--json'])).stdout);
    expect(status).toMatchObject({ provider: 'openai', winner: 'auth.json' });
    expect(status.headers.authorization.masked).toBe(maskSecret(key));
    expect(status.warnings.map((x: { code: string }) => x.code)).toContain('plaintext-key-in-auth-json');

    // What the picture says is what codex sends.
    const before = upstream.requests.length;
    const run = await runCodex(w);
    expect(run.code, run.stderr).toBe(0);
    const posts = upstream.requests.slice(before).filter((r) => r.method === 'POST');
    expect(posts.length).toBeGreaterThan(0);
    for (const request of posts) expect(request.headers.authorization).toBe(`Bearer ${key}`);

    const moved = JSON.parse((await w.cli(['configure', 'codex', '--import-key', '--label', 'from-codex', '--json'])).stdout);
    expect(moved).toMatchObject({ imported: true, key: { provider: 'openai', label: 'from-codex' } });
    const auth = JSON.parse(readFileSync(join(w.codexHome, 'auth.json'), 'utf8'));
    expect(auth.OPENAI_API_KEY).toBeNull();
    expect(moved.diff).not.toContain(key);
    // The backup of auth.json is sealed: undo can restore it, the disk holds nothing usable.
    for (const file of filesUnder(join(w.t.root, '.local', 'share', 'keytray', 'backups'))) {
      expect(file.text.includes(key), `${file.path} holds the key`).toBe(false);
    }
    expect((await w.cli(['key', 'openai', 'from-codex'])).stdout).toBe(key);
    const after = JSON.parse((await w.cli(['status', '--agent', 'codex', '--json'])).stdout);
    expect(after.warnings.map((x: { code: string }) => x.code)).not.toContain('plaintext-key-in-auth-json');
  });
});
