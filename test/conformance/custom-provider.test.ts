/**
 * A provider of the user's own (any Anthropic-compatible endpoint, by hand or
 * from a preset) driving the real Claude Code, through the helper and through
 * the proxy, against a fake upstream under a path of its own: the key, the
 * header the provider takes, the base URL and the model names all arrive
 * where the provider's definition says, and switching back to Anthropic takes
 * out what KeyTray wrote for it.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseClaudeEnv, runClaude } from '../support/claude';
import { runCli } from '../support/cli';
import { startCliProxy } from '../support/cli-proxy';
import { type FakeAnthropic, startFakeAnthropic } from '../support/fake-anthropic';
import { fakeAnthropicKey, fakeCompatibleKey } from '../support/test-env';

let upstream: FakeAnthropic;
beforeAll(async () => {
  upstream = await startFakeAnthropic();
});
afterAll(() => upstream.close());

function world(name: string) {
  const root = mkdtempSync(join(process.env.HOME ?? '/tmp', `${name}-`));
  const home = join(root, 'home');
  mkdirSync(home, { recursive: true });
  const env = { ...baseClaudeEnv(home), KEYTRAY_KEYCHAIN_SERVICE: `keytray-${name}-${randomBytes(5).toString('hex')}` };
  const settings = () => JSON.parse(readFileSync(join(home, '.claude', 'settings.json'), 'utf8'));
  return { home, env, settings };
}

async function ok(args: string[], env: Record<string, string>, input?: string) {
  const result = await runCli(args, { env, ...(input === undefined ? {} : { input }) });
  expect(result.code, `keytray ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result;
}

/** `claude -p hi`: its reply, and the inference requests the fake upstream received for it. */
async function askClaude(env: Record<string, string>, cwd: string) {
  const before = upstream.requests.length;
  const reply = await runClaude(['-p', 'hi'], { env, cwd });
  const sent = upstream.requests.slice(before).filter((r) => upstream.inferenceRequests().includes(r));
  expect(reply.stdout.trim(), reply.stderr).toBe('pong');
  expect(sent.length).toBeGreaterThan(0);
  return sent;
}

const modelOf = (body: string) => (JSON.parse(body) as { model: string }).model;

describe('a custom Anthropic-compatible provider with the real Claude Code', () => {
  it('helper mode: its base URL, its Bearer header and its model names; back to Anthropic takes them out', async () => {
    const { home, env, settings } = world('custom-helper');
    const base = `${upstream.url}/compat/anthropic`;
    await ok(
      ['provider', 'add', 'gateway', '--label', 'Team gateway', '--api', 'anthropic', '--base-url', base, '--auth', 'bearer'],
      env,
    );
    const key = fakeCompatibleKey();
    await ok(['keys', 'add', 'gateway', '--label', 'work'], env, key);
    await ok(['provider', 'set', 'gateway', '--model', 'compat-large', '--haiku-model', 'compat-small'], env);

    const configured = JSON.parse((await ok(['configure', 'claude-code', '--provider', 'gateway', '--json'], env)).stdout);
    expect(configured.picture.destination).toBe(base);
    expect(configured.picture.models).toEqual({ ANTHROPIC_MODEL: 'compat-large', ANTHROPIC_DEFAULT_HAIKU_MODEL: 'compat-small' });
    expect(configured.picture.headers.authorization).toMatchObject({
      source: 'apiKeyHelper',
      masked: expect.stringMatching(/^sk-/),
    });
    expect(settings().env).toEqual({
      ANTHROPIC_BASE_URL: base,
      ANTHROPIC_MODEL: 'compat-large',
      ANTHROPIC_DEFAULT_HAIKU_MODEL: 'compat-small',
    });
    expect(JSON.stringify(settings())).not.toContain(key);

    const sent = await askClaude(env, home);
    for (const request of sent) {
      expect(request.url.startsWith('/compat/anthropic/v1/messages')).toBe(true);
      expect(request.headers.authorization).toBe(`Bearer ${key}`);
      expect(['compat-large', 'compat-small']).toContain(modelOf(request.body));
    }
    expect(sent.map((r) => modelOf(r.body))).toContain('compat-large');

    // A changed model name reaches the file configured with the provider's key, and Claude Code asks for it.
    const set = await ok(['provider', 'set', 'gateway', '--model', 'compat-next'], env);
    expect(set.stdout).toContain('+    "ANTHROPIC_MODEL": "compat-next"');
    expect((await askClaude(env, home)).map((r) => modelOf(r.body))).toContain('compat-next');

    // Back to Anthropic: the gateway's base URL and model names go, since KeyTray wrote them.
    const anthropic = fakeAnthropicKey();
    await ok(['keys', 'add', 'anthropic', '--label', 'work'], env, anthropic);
    await ok(['configure', 'claude-code', '--provider', 'anthropic'], env);
    expect(settings().env ?? {}).toEqual({});
    const status = JSON.parse((await ok(['status', '--agent', 'claude-code', '--json', '--cwd', home], env)).stdout);
    expect(status.destination).toBe('https://api.anthropic.com');
    expect(status.models).toBeUndefined();

    // The provider cannot go while it holds a key; then it can.
    const refused = await runCli(['provider', 'remove', 'gateway'], { env });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('keytray keys remove gateway');
    await ok(['keys', 'remove', 'gateway', 'work'], env);
    await ok(['provider', 'remove', 'gateway'], env);
    expect((await runCli(['keys', 'add', 'gateway', '--label', 'x'], { env, input: key })).stderr).toContain('Unknown provider');
  });

  it("proxy mode from a preset: the proxy sends the key in the preset's header to the base URL; Claude Code holds a token", async () => {
    const { home, env, settings } = world('custom-proxy');
    await ok(['provider', 'add', '--preset', 'deepseek'], env);
    const listed = JSON.parse((await ok(['provider', 'list', '--json'], env)).stdout).providers;
    expect(listed.find((p: { id: string }) => p.id === 'deepseek')).toMatchObject({
      baseUrl: 'https://api.deepseek.com/anthropic',
      header: 'authorization',
      custom: true,
      preset: 'deepseek',
    });
    // The fake upstream stands in for DeepSeek's host.
    const base = `${upstream.url}/deepseek/anthropic`;
    await ok(['provider', 'edit', 'deepseek', '--base-url', base], env);
    const key = fakeCompatibleKey();
    await ok(['keys', 'add', 'deepseek', '--label', 'work'], env, key);
    await ok(['provider', 'set', 'deepseek', '--model', 'deepseek-chat'], env);
    const proxy = await startCliProxy(env);
    try {
      const configured = JSON.parse(
        (await ok(['configure', 'claude-code', '--provider', 'deepseek', '--mode', 'proxy', '--json'], env)).stdout,
      );
      expect(settings().env.ANTHROPIC_BASE_URL).toBe(`http://127.0.0.1:${proxy.port}/deepseek`);
      expect(settings().env.ANTHROPIC_MODEL).toBe('deepseek-chat');
      const token = (await promisify(execFile)('/bin/sh', ['-c', configured.apiKeyHelper], { env })).stdout;
      expect(token).toMatch(/^ktp_/);

      const sent = await askClaude(env, home);
      for (const request of sent) {
        expect(request.url.startsWith('/deepseek/anthropic/v1/messages')).toBe(true);
        expect(request.headers.authorization).toBe(`Bearer ${key}`);
        expect(request.headers['x-api-key']).toBeUndefined();
        expect(modelOf(request.body)).toBe('deepseek-chat');
      }
      const log = JSON.parse((await ok(['proxy', 'log', '--json'], env)).stdout).entries;
      expect(log.at(-1)).toMatchObject({ method: 'POST', status: 200, provider: 'deepseek', label: 'work' });
      for (const place of [JSON.stringify(settings()), token, JSON.stringify(log), configured.apiKeyHelper]) {
        expect(place).not.toContain(key);
      }
    } finally {
      proxy.stop();
    }
  });
});

describe("OpenRouter's Anthropic-compatible endpoint", () => {
  it('drives Claude Code with an OpenRouter key, where KeyTray used to refuse', async () => {
    const { home, env, settings } = world('openrouter');
    const key = `sk-or-v1-KTCANARY${randomBytes(28).toString('hex')}`;
    await ok(['keys', 'add', 'openrouter', '--label', 'work'], env, key);
    const base = `${upstream.url}/openrouter/api`;
    await ok(['provider', 'set', 'openrouter', '--base-url', base], env);
    await ok(['configure', 'claude-code', '--provider', 'openrouter'], env);
    expect(settings().env.ANTHROPIC_BASE_URL).toBe(base);
    for (const request of await askClaude(env, home)) {
      expect(request.url.startsWith('/openrouter/api/v1/messages')).toBe(true);
      expect(request.headers.authorization).toBe(`Bearer ${key}`);
    }
  });
});

describe('keytray exec with a custom provider', () => {
  it("puts the key in the variable its API's clients read, and the base URL beside it", async () => {
    const { env } = world('custom-exec');
    await ok(
      [
        'provider',
        'add',
        'gateway',
        '--label',
        'Gateway',
        '--api',
        'anthropic',
        '--base-url',
        'https://gw.example.com',
        '--auth',
        'bearer',
      ],
      env,
    );
    const key = fakeCompatibleKey();
    await ok(['keys', 'add', 'gateway', '--label', 'work'], env, key);
    const printed = await ok(
      [
        'exec',
        '--provider',
        'gateway',
        '--',
        process.execPath,
        '-e',
        'console.log(process.env.ANTHROPIC_BASE_URL, process.env.ANTHROPIC_AUTH_TOKEN === process.env.EXPECTED)',
      ],
      { ...env, EXPECTED: key },
    );
    expect(printed.stdout.trim()).toBe('https://gw.example.com true');
  });
});
