/**
 * KeyTray and the real Gemini CLI (the pinned @google/gemini-cli), offline:
 * `gemini -p` against a fake Gemini API on 127.0.0.1, in a throw-away HOME.
 * In proxy mode the upstream must receive the keychain key in
 * x-goog-api-key while Gemini's own files hold only the route token; with
 * `keytray exec` no file holds anything; and the picture must say what
 * Gemini really sent, folder by folder.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCredentials, sealCredentials } from '../../electron/core/agents/gemini-cli/credentials-file';
import { maskSecret } from '../../shared/mask';
import { agentEnv, filesUnder, keytrayIn } from '../support/agent-world';
import { BIN } from '../support/cli';
import { startCliProxy } from '../support/cli-proxy';
import { type FakeUpstream, startFakeGemini } from '../support/fake-upstream';
import { fakeGeminiKey, makeTestEnv, type TestEnv } from '../support/test-env';

const require = createRequire(import.meta.url);

function geminiBin(): string {
  const pkg = dirname(require.resolve('@google/gemini-cli/package.json'));
  const { bin } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { bin: string | Record<string, string> };
  return join(pkg, typeof bin === 'string' ? bin : (bin.gemini ?? ''));
}

/** The user's own settings, with a comment (Gemini reads JSON with comments), and what keeps it offline. */
const USER_SETTINGS = `{
  // mine
  "privacy": { "usageStatisticsEnabled": false },
  "telemetry": { "enabled": false },
  "general": { "enableAutoUpdate": false, "enableAutoUpdateNotification": false }
}
`;

let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await startFakeGemini();
});
afterAll(async () => {
  await upstream.close();
});

interface GeminiWorld {
  t: TestEnv;
  geminiDir: string;
  project: string;
  env: NodeJS.ProcessEnv;
  cli(args: string[], input?: string): Promise<{ stdout: string; stderr: string }>;
}

function world(): GeminiWorld {
  const t = makeTestEnv();
  const geminiDir = join(t.root, '.gemini');
  mkdirSync(geminiDir);
  writeFileSync(join(geminiDir, 'settings.json'), USER_SETTINGS);
  const project = join(t.root, 'project');
  mkdirSync(project);
  // Headless Gemini needs a trusted folder.
  const env = agentEnv(t, { GEMINI_CLI_TRUST_WORKSPACE: 'true' });
  const keytray = keytrayIn(env);
  // Status is asked from the project folder, where gemini runs.
  const cli = (args: string[], input?: string) => keytray(args[0] === 'status' ? [...args, '--cwd', project] : args, input);
  return { t, geminiDir, project, env, cli };
}

function run(w: GeminiWorld, command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { env: w.env, cwd: w.project, timeout: 90_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

/** `gemini -p` with a model named, so it goes straight to the answer (no routing request). */
const GEMINI_ARGS = ['-p', 'say hi', '-m', 'gemini-test'];

describe('Gemini CLI, for real', () => {
  it('proxy mode: gemini -p sends the route token, the upstream receives the keychain key; its files hold only the token', async () => {
    const w = world();
    const key = fakeGeminiKey();
    await w.cli(['keys', 'add', 'gemini', '--label', 'work'], key);
    await w.cli(['provider', 'set', 'gemini', '--base-url', upstream.url]);
    const proxy = await startCliProxy(w.env);
    try {
      const configured = JSON.parse((await w.cli(['configure', 'gemini-cli', '--json'])).stdout);
      expect(configured).toMatchObject({ agent: 'gemini-cli', written: true, binding: { provider: 'gemini', mode: 'proxy' } });
      const dotenv = readFileSync(join(w.geminiDir, '.env'), 'utf8');
      expect(dotenv).toMatch(
        new RegExp(
          `^GOOGLE_GEMINI_BASE_URL=http://127\\.0\\.0\\.1:${proxy.port}/gemini\\nGEMINI_API_KEY=ktp_[A-Za-z0-9_-]{43}\\n$`,
        ),
      );
      const token = /GEMINI_API_KEY=(\S+)/.exec(dotenv)?.[1] ?? '';
      const settings = readFileSync(join(w.geminiDir, 'settings.json'), 'utf8');
      expect(settings).toContain('// mine');
      expect(settings).toContain('"selectedType": "gemini-api-key"');
      expect(configured.diff).not.toContain(token);

      const before = upstream.requests.length;
      const reply = await run(w, process.execPath, [geminiBin(), ...GEMINI_ARGS]);
      expect(reply.code, reply.stderr).toBe(0);
      expect(reply.stdout).toContain('pong');
      const sent = upstream.requests.slice(before);
      expect(sent.some((r) => r.url.includes(':streamGenerateContent'))).toBe(true);
      for (const request of sent) {
        expect(request.headers['x-goog-api-key']).toBe(key);
        expect(request.url).not.toContain(token);
      }
      for (const file of filesUnder(w.geminiDir)) expect(file.text.includes(key), `${file.path} holds the key`).toBe(false);
      for (const text of [reply.stdout, reply.stderr, JSON.stringify(w.env), JSON.stringify(configured)])
        expect(text).not.toContain(key);

      // The picture names the token and the key behind it.
      const status = JSON.parse((await w.cli(['status', '--agent', 'gemini-cli', '--json'])).stdout);
      expect(status).toMatchObject({
        tool: 'gemini-cli',
        provider: 'gemini-api-key',
        destination: `http://127.0.0.1:${proxy.port}/gemini`,
      });
      expect(status.headers['x-goog-api-key']).toMatchObject({
        masked: maskSecret(token),
        detail: 'keytray route token; the proxy sends gemini/work',
      });
      expect(status.warnings).toEqual([]);

      // A project .env stops Gemini's search: it never reads KeyTray's, and the picture says so.
      writeFileSync(join(w.project, '.env'), 'DEBUG=0\n');
      const shadowed = JSON.parse((await w.cli(['status', '--agent', 'gemini-cli', '--json'])).stdout);
      expect(shadowed.warnings.map((x: { code: string }) => x.code)).toEqual(
        expect.arrayContaining(['dotenv-shadows-keytray', 'no-credential']),
      );
      const refused = await run(w, process.execPath, [geminiBin(), ...GEMINI_ARGS]);
      expect(refused.code).toBe(41);

      // Removing the configuration revokes the token at once.
      await w.cli(['configure', 'gemini-cli', '--remove']);
      expect(readFileSync(join(w.geminiDir, '.env'), 'utf8')).toBe('');
      const revoked = await fetch(`http://127.0.0.1:${proxy.port}/gemini/v1beta/models/x:streamGenerateContent`, {
        method: 'POST',
        headers: { 'x-goog-api-key': token, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(revoked.status).toBe(401);
    } finally {
      proxy.stop();
    }
  });

  it('a route token opens the Gemini route only', async () => {
    const w = world();
    await w.cli(['keys', 'add', 'gemini', '--label', 'work'], fakeGeminiKey());
    await w.cli(['keys', 'add', 'anthropic', '--label', 'work'], `sk-ant-api03-KTCANARY${'x'.repeat(80)}`);
    const proxy = await startCliProxy(w.env);
    try {
      await w.cli(['configure', 'gemini-cli']);
      const token = /GEMINI_API_KEY=(\S+)/.exec(readFileSync(join(w.geminiDir, '.env'), 'utf8'))?.[1] ?? '';
      const elsewhere = await fetch(`http://127.0.0.1:${proxy.port}/anthropic/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': token, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(elsewhere.status).toBe(401);
      expect(await elsewhere.text()).toContain('for gemini keys');
    } finally {
      proxy.stop();
    }
  });

  it('keytray exec: the key reaches gemini in its environment for one run, and no file holds anything', async () => {
    const w = world();
    const key = fakeGeminiKey();
    await w.cli(['keys', 'add', 'gemini', '--label', 'work'], key);
    await w.cli(['provider', 'set', 'gemini', '--base-url', upstream.url]);
    writeFileSync(
      join(w.geminiDir, 'settings.json'),
      USER_SETTINGS.replace('// mine', '"security": { "auth": { "selectedType": "gemini-api-key" } },'),
    );
    const before = upstream.requests.length;
    const reply = await run(w, process.execPath, [
      BIN,
      'exec',
      '--provider',
      'gemini',
      '--',
      process.execPath,
      geminiBin(),
      ...GEMINI_ARGS,
    ]);
    expect(reply.code, reply.stderr).toBe(0);
    expect(reply.stdout).toContain('pong');
    const sent = upstream.requests.slice(before);
    expect(sent.length).toBeGreaterThan(0);
    for (const request of sent) expect(request.headers['x-goog-api-key']).toBe(key);
    for (const file of filesUnder(w.geminiDir)) expect(file.text.includes(key), `${file.path} holds the key`).toBe(false);
  });

  it("reads Gemini's own key file as Gemini does, and --import-key moves that key into the keychain", async () => {
    const w = world();
    // The user's own key, saved by Gemini in its file store: no canary (KeyTray never leaked it).
    const own = `AIzaUsersOwn${randomBytes(30).toString('base64url').slice(0, 27)}`;
    const file = join(w.geminiDir, 'gemini-credentials.json');
    const stored = JSON.stringify({
      serverName: 'default-api-key',
      token: { accessToken: own, tokenType: 'ApiKey' },
      updatedAt: 1,
    });
    writeFileSync(
      file,
      sealCredentials({ 'gemini-cli-api-key': { 'default-api-key': stored }, 'mcp-oauth': { server: 'kept' } }),
      {
        mode: 0o600,
      },
    );
    writeFileSync(
      join(w.geminiDir, 'settings.json'),
      USER_SETTINGS.replace('// mine', '"security": { "auth": { "selectedType": "gemini-api-key" } },'),
    );
    // No Secret Service for Gemini itself: it falls back to its file, as on a machine without a keychain.
    const { DBUS_SESSION_BUS_ADDRESS: _bus, ...noKeychain } = w.env;
    const geminiEnv = { ...noKeychain, GOOGLE_GEMINI_BASE_URL: upstream.url };
    const ask = () =>
      new Promise<{ code: number }>((resolve) => {
        const child = execFile(
          process.execPath,
          [geminiBin(), ...GEMINI_ARGS],
          { env: geminiEnv, cwd: w.project, timeout: 90_000 },
          (error) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0 }),
        );
        child.stdin?.end();
      });

    const status = JSON.parse((await w.cli(['status', '--agent', 'gemini-cli', '--json'])).stdout);
    expect(status.winner).toBe('stored key');
    expect(status.warnings.map((x: { code: string }) => x.code)).toContain('plaintext-credentials-file');
    const before = upstream.requests.length;
    expect((await ask()).code).toBe(0);
    const sent = upstream.requests.slice(before);
    expect(sent.length).toBeGreaterThan(0);
    for (const request of sent) expect(request.headers['x-goog-api-key']).toBe(own);

    const moved = JSON.parse((await w.cli(['configure', 'gemini-cli', '--import-key', '--label', 'mine', '--json'])).stdout);
    expect(moved).toMatchObject({ imported: true, key: { provider: 'gemini', label: 'mine' }, path: file });
    expect((await w.cli(['key', 'gemini', 'mine'])).stdout).toBe(own);
    const left = openCredentials(readFileSync(file, 'utf8'));
    expect(left).toEqual({ 'mcp-oauth': { server: 'kept' } });
    // Gemini itself now finds no key there.
    expect((await ask()).code).toBe(41);
  });

  it('the picture matches what gemini sends when a plaintext key sits in a project .env', async () => {
    const w = world();
    // The user's own plaintext key, which KeyTray never holds: no canary (the secret scan looks for KeyTray's leaks).
    const key = `AIzaUsersOwn${randomBytes(30).toString('base64url').slice(0, 27)}`;
    writeFileSync(
      join(w.geminiDir, 'settings.json'),
      USER_SETTINGS.replace('// mine', '"security": { "auth": { "selectedType": "gemini-api-key" } },'),
    );
    writeFileSync(join(w.project, '.env'), `# mine\nGEMINI_API_KEY=${key}\nGOOGLE_GEMINI_BASE_URL=${upstream.url}\n`);
    const status = JSON.parse((await w.cli(['status', '--agent', 'gemini-cli', '--json'])).stdout);
    expect(status).toMatchObject({ winner: 'GEMINI_API_KEY', destination: upstream.url });
    expect(status.headers['x-goog-api-key']).toMatchObject({ masked: maskSecret(key), origin: 'file:dotenv' });
    expect(status.warnings.map((x: { code: string }) => x.code)).toContain('plaintext-key-in-dotenv');
    const before = upstream.requests.length;
    const reply = await run(w, process.execPath, [geminiBin(), ...GEMINI_ARGS]);
    expect(reply.code, reply.stderr).toBe(0);
    for (const request of upstream.requests.slice(before)) expect(request.headers['x-goog-api-key']).toBe(key);
  });
});
