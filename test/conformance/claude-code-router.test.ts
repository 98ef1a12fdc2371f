/**
 * KeyTray and the real claude-code-router (the pinned
 * @musistudio/claude-code-router 2.0.0), with the real Claude Code as its
 * client, offline: `ccr start` on a port from ports.ts, `ccr code -p "hi"`
 * against a fake OpenAI-shaped chat completions upstream on 127.0.0.1, in a
 * throw-away HOME and TMPDIR. The upstream must receive exactly the
 * keychain's key (helper mode: KeyTray's transformer asks KeyTray's helper)
 * or the key injected by KeyTray's proxy while ccr holds only a token (proxy
 * mode); no file under ccr's folder, its logs or the test's temp folder may
 * hold the key; the picture must say what ccr really sent. Every ccr server
 * a test starts is stopped in a finally.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskSecret } from '../../shared/mask';
import { agentEnv, filesUnder, keytrayIn } from '../support/agent-world';
import { runCcrCode, startCcr } from '../support/ccr';
import { claudeBinary } from '../support/claude';
import { runCli } from '../support/cli';
import { startCliProxy } from '../support/cli-proxy';
import { type FakeUpstream, startFakeChatCompletions } from '../support/fake-upstream';
import { freePort } from '../support/ports';
import { fakeOpenAIKey, makeTestEnv, type TestEnv, usersOwnKey } from '../support/test-env';

/** What the user already had: a comment, a provider of their own (its key from the environment), their route. */
function userConfig(port: number): string {
  return `{
  // my router, written by hand
  "PORT": ${port},
  "API_TIMEOUT_MS": 60000,
  "Providers": [
    {
      "name": "mine",
      "api_base_url": "https://example.invalid/v1/chat/completions",
      "api_key": "$MINE_API_KEY",
      "models": ["m-1"]
    }
  ],
  "Router": {
    "default": "mine,m-1"
  }
}
`;
}

let upstream: FakeUpstream & { rejected: Set<string> };
beforeAll(async () => {
  upstream = await startFakeChatCompletions();
});
afterAll(async () => {
  await upstream.close();
});

interface CcrWorld {
  t: TestEnv;
  home: string;
  config: string;
  original: string;
  tmp: string;
  port: number;
  env: NodeJS.ProcessEnv;
  cli(args: string[], input?: string): Promise<{ stdout: string; stderr: string }>;
}

async function world(): Promise<CcrWorld> {
  const t = makeTestEnv();
  // A home inside an ES-module package (a package.json with "type": "module" above it), where a
  // transformer named .js would be loaded as ESM and fail in ccr's require().
  writeFileSync(join(t.root, 'package.json'), '{ "type": "module" }\n');
  const home = join(t.root, '.claude-code-router');
  mkdirSync(home);
  const port = await freePort();
  const config = join(home, 'config.json');
  const original = userConfig(port);
  writeFileSync(config, original);
  // As ccr itself creates it.
  chmodSync(config, 0o644);
  const tmp = join(t.root, 'tmp');
  mkdirSync(tmp);
  const env = agentEnv(t, {
    TMPDIR: tmp,
    CLAUDE_PATH: claudeBinary(),
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    CLAUDE_CODE_MAX_RETRIES: '0',
  });
  return { t, home, config, original, tmp, port, env, cli: keytrayIn(env) };
}

/** No file under ccr's folder (logs included), the test's temp folder or the shared /tmp/claude-code-router holds the key. */
function expectNowhere(w: CcrWorld, key: string, also: string[]): void {
  const places = [w.home, w.tmp, '/tmp/claude-code-router'].filter((p) => existsSync(p));
  for (const place of places)
    for (const file of filesUnder(place)) expect(file.text.includes(key), `${file.path} holds the key`).toBe(false);
  expect(JSON.stringify(w.env)).not.toContain(key);
  for (const text of also) expect(text).not.toContain(key);
}

const posts = (from: number) =>
  upstream.requests.slice(from).filter((r) => r.method === 'POST' && r.url.endsWith('/v1/chat/completions'));

describe('claude-code-router, for real', () => {
  it("helper mode: ccr sends exactly the keychain key through KeyTray's transformer, asks again after a 401, and no file holds it", async () => {
    const w = await world();
    const key = fakeOpenAIKey();
    await w.cli(['keys', 'add', 'openai', '--label', 'work'], key);
    await w.cli(['provider', 'set', 'openai', '--base-url', upstream.url]);
    const configured = JSON.parse((await w.cli(['configure', 'claude-code-router', '--json'])).stdout);
    expect(configured).toMatchObject({
      agent: 'claude-code-router',
      path: w.config,
      written: true,
      binding: { provider: 'openai' },
    });
    expect(configured.picture.headers.authorization).toMatchObject({ source: 'keytray transformer', masked: maskSecret(key) });
    const written = readFileSync(w.config, 'utf8');
    expect(written.startsWith('{\n  // my router, written by hand\n')).toBe(true);
    expect(written).toContain(`"api_base_url": "${upstream.url}/v1/chat/completions"`);
    expect(written).toContain('"LOG_LEVEL": "info"');
    expect(written).toMatch(/"APIKEY": "ktccr_[A-Za-z0-9_-]+"/);
    expect(written).toContain('"default": "keytray,');
    // ccr made config.json readable by all; with an APIKEY in it, KeyTray makes it the user's alone.
    expect(statSync(w.config).mode & 0o777).toBe(0o600);

    const ccr = await startCcr(w);
    try {
      const before = upstream.requests.length;
      const run = await runCcrCode(w);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('pong');
      const sent = posts(before);
      expect(sent.length).toBeGreaterThan(0);
      for (const request of sent) expect(request.headers.authorization).toBe(`Bearer ${key}`);
      // ccr still logs at "info" (so the search above read real logs), and none of it holds the key.
      expect(filesUnder(join(w.home, 'logs')).length).toBeGreaterThan(0);
      expectNowhere(w, key, [written, run.stdout, run.stderr, JSON.stringify(configured)]);

      // The key is revoked and replaced: the held one meets a 401, then the transformer asks KeyTray again.
      const next = fakeOpenAIKey();
      await w.cli(['keys', 'add', 'openai', '--label', 'next', '--activate'], next);
      upstream.rejected.add(key);
      const rotated = upstream.requests.length;
      let last = await runCcrCode(w);
      if (last.code !== 0) last = await runCcrCode(w);
      expect(last.code, last.stderr).toBe(0);
      const afterRotation = posts(rotated).map((r) => r.headers.authorization);
      expect(afterRotation.filter((a) => a === `Bearer ${key}`).length).toBeLessThanOrEqual(1);
      expect(afterRotation.at(-1)).toBe(`Bearer ${next}`);
      expectNowhere(w, key, [last.stdout, last.stderr]);
      expectNowhere(w, next, [last.stdout, last.stderr]);

      const status = JSON.parse((await w.cli(['status', '--agent', 'claude-code-router', '--json'])).stdout);
      expect(status).toMatchObject({
        tool: 'claude-code-router',
        provider: 'keytray',
        destination: `${upstream.url}/v1/chat/completions`,
        winner: 'keytray transformer',
      });
      expect(status.headers.authorization.masked).toBe(maskSecret(next));
      const codes = status.warnings.map((x: { code: string }) => x.code);
      expect(codes).not.toContain('ccr-debug-log');
      expect(codes).not.toContain('ccr-logs-hold-key');
      expect(codes).not.toContain('ccr-config-readable');
      // ccr code left its settings file (APIKEY as ANTHROPIC_AUTH_TOKEN, 0644) in the test's TMPDIR: the picture names it.
      expect(codes).toContain('ccr-tmp-settings');
    } finally {
      await ccr.stop();
    }

    await w.cli(['configure', 'claude-code-router', '--undo']);
    expect(readFileSync(w.config, 'utf8')).toBe(w.original);
  });

  it('proxy mode: ccr holds only a token, the upstream receives the key through the proxy', async () => {
    const w = await world();
    const key = fakeOpenAIKey();
    await w.cli(['keys', 'add', 'openai', '--label', 'work'], key);
    await w.cli(['provider', 'set', 'openai', '--base-url', upstream.url]);
    const proxy = await startCliProxy(w.env);
    try {
      const configured = JSON.parse((await w.cli(['configure', 'claude-code-router', '--mode', 'proxy', '--json'])).stdout);
      expect(configured.picture.headers.authorization).toMatchObject({ masked: expect.stringMatching(/^ktp_…/) });
      const written = readFileSync(w.config, 'utf8');
      expect(written).toContain(`"api_base_url": "http://127.0.0.1:${proxy.port}/openai/v1/chat/completions"`);
      expect(written).toContain('"--proxy-token"');

      const ccr = await startCcr(w);
      try {
        const before = upstream.requests.length;
        const run = await runCcrCode(w);
        expect(run.code, run.stderr).toBe(0);
        expect(run.stdout).toContain('pong');
        const sent = posts(before);
        expect(sent.length).toBeGreaterThan(0);
        for (const request of sent) expect(request.headers.authorization).toBe(`Bearer ${key}`);
        expectNowhere(w, key, [written, run.stdout, run.stderr, JSON.stringify(configured)]);
        const status = JSON.parse((await w.cli(['status', '--agent', 'claude-code-router', '--json'])).stdout);
        expect(status.warnings.map((x: { code: string }) => x.code)).not.toContain('proxy-not-running');
        expect(status.headers.authorization.masked).toMatch(/^ktp_…/);
        // The proxy token reached ccr through the transformer only: no file of ccr's holds it either.
        const token = (await w.cli(['key', '--proxy-token'])).stdout.trim();
        expect(token).toMatch(/^ktp_/);
        expectNowhere(w, token, [written, run.stdout, run.stderr]);
      } finally {
        await ccr.stop();
      }
    } finally {
      proxy.stop();
    }
  });

  it('a provider of your own that speaks the OpenAI API: ccr reaches its base URL with its key', async () => {
    const w = await world();
    const base = `${upstream.url}/gateway`;
    await w.cli(['provider', 'add', 'gateway', '--label', 'Gateway', '--api', 'openai', '--base-url', base]);
    const key = fakeOpenAIKey();
    await w.cli(['keys', 'add', 'gateway', '--label', 'work'], key);
    await w.cli(['configure', 'claude-code-router', '--provider', 'gateway']);
    const written = readFileSync(w.config, 'utf8');
    expect(written).toContain(`"api_base_url": "${base}/v1/chat/completions"`);
    const ccr = await startCcr(w);
    try {
      const before = upstream.requests.length;
      const run = await runCcrCode(w);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('pong');
      const sent = posts(before);
      expect(sent.length).toBeGreaterThan(0);
      for (const request of sent) {
        expect(request.url).toBe('/gateway/v1/chat/completions');
        expect(request.headers.authorization).toBe(`Bearer ${key}`);
      }
      expectNowhere(w, key, [written, run.stdout, run.stderr]);
    } finally {
      await ccr.stop();
    }
  });

  it("ccr's own debug log writes the key when LOG is unset; the picture says so, and --delete-logs deletes those logs", async () => {
    const w = await world();
    const key = usersOwnKey('sk-proj-');
    // The user's own provider, its key in plaintext, and no LOG setting: ccr's defaults.
    const leaky = w.original
      .replace('https://example.invalid/v1/chat/completions', `${upstream.url}/v1/chat/completions`)
      .replace('"$MINE_API_KEY"', JSON.stringify(key));
    writeFileSync(w.config, leaky);
    const ccr = await startCcr(w);
    try {
      const before = upstream.requests.length;
      const run = await runCcrCode(w);
      expect(run.code, run.stderr).toBe(0);
      const sent = posts(before);
      expect(sent.length).toBeGreaterThan(0);
      for (const request of sent) expect(request.headers.authorization).toBe(`Bearer ${key}`);
    } finally {
      await ccr.stop();
    }
    const logs = filesUnder(join(w.home, 'logs')).filter((f) => f.text.includes(key));
    expect(logs.length, 'ccr 2.0.0 logs the outgoing authorization header by default').toBeGreaterThan(0);

    const status = await w.cli(['status', '--agent', 'claude-code-router', '--json']);
    expect(status.stdout).not.toContain(key);
    const picture = JSON.parse(status.stdout);
    expect(picture).toMatchObject({ provider: 'mine', winner: 'api_key' });
    expect(picture.headers.authorization.masked).toBe(maskSecret(key));
    const codes = picture.warnings.map((x: { code: string }) => x.code);
    expect(codes).toEqual(
      expect.arrayContaining(['ccr-debug-log', 'ccr-logs-hold-key', 'plaintext-key-in-settings', 'ccr-no-apikey']),
    );

    const dry = await w.cli(['configure', 'claude-code-router', '--delete-logs', '--dry-run']);
    expect(dry.stdout).not.toContain(key);
    for (const log of logs) expect(existsSync(log.path)).toBe(true);
    const deleted = await w.cli(['configure', 'claude-code-router', '--delete-logs', '--yes', '--json']);
    expect(deleted.stdout).not.toContain(key);
    expect(JSON.parse(deleted.stdout).deleted.sort()).toEqual(logs.map((l) => l.path).sort());
    for (const log of logs) expect(existsSync(log.path)).toBe(false);
    const after = JSON.parse((await w.cli(['status', '--agent', 'claude-code-router', '--json'])).stdout);
    expect(after.warnings.map((x: { code: string }) => x.code)).not.toContain('ccr-logs-hold-key');
  });

  it("remove takes out exactly what KeyTray put in, keeps the user's later edit, and gives back the route it replaced", async () => {
    const w = await world();
    await w.cli(['keys', 'add', 'openai', '--label', 'work'], fakeOpenAIKey());
    await w.cli(['configure', 'claude-code-router']);
    // The user edits the file after KeyTray wrote it: remove must keep that edit.
    const edited = readFileSync(w.config, 'utf8').replace('"API_TIMEOUT_MS": 60000', '"API_TIMEOUT_MS": 90000');
    writeFileSync(w.config, edited);
    const removed = JSON.parse((await w.cli(['configure', 'claude-code-router', '--remove', '--json'])).stdout);
    expect(removed).toMatchObject({ action: 'remove', written: true, binding: null });
    expect(readFileSync(w.config, 'utf8')).toBe(w.original.replace('"API_TIMEOUT_MS": 60000', '"API_TIMEOUT_MS": 90000'));
    const meta = JSON.parse(readFileSync(w.t.metadataPath, 'utf8'));
    expect(meta.bindings['claude-code-router']).toEqual({});
  });

  it('configure then remove on a config with no providers, transformers or route gives back the file byte for byte', async () => {
    const w = await world();
    const bare = `{\n  "PORT": ${w.port}\n}\n`;
    writeFileSync(w.config, bare);
    await w.cli(['keys', 'add', 'openai', '--label', 'work'], fakeOpenAIKey());
    await w.cli(['configure', 'claude-code-router']);
    expect(readFileSync(w.config, 'utf8')).not.toBe(bare);
    await w.cli(['configure', 'claude-code-router', '--remove']);
    expect(readFileSync(w.config, 'utf8')).toBe(bare);
  });

  it('moving the proxy (keytray proxy port) moves api_base_url along, and nothing else', async () => {
    const w = await world();
    await w.cli(['keys', 'add', 'openai', '--label', 'work'], fakeOpenAIKey());
    const first = await freePort();
    await w.cli(['proxy', 'port', String(first)]);
    await w.cli(['configure', 'claude-code-router', '--mode', 'proxy']);
    const before = readFileSync(w.config, 'utf8');
    expect(before).toContain(`http://127.0.0.1:${first}/openai/v1/chat/completions`);
    let second = await freePort();
    while (second === first) second = await freePort();
    await w.cli(['proxy', 'port', String(second)]);
    const after = readFileSync(w.config, 'utf8');
    expect(after).toBe(before.replace(`127.0.0.1:${first}/`, `127.0.0.1:${second}/`));
  });

  it("ccr 3.x's config.sqlite (its documented store): configure refuses to write a config.json ccr would ignore, and the picture says why", async () => {
    const w = await world();
    writeFileSync(join(w.home, 'config.sqlite'), '');
    await w.cli(['keys', 'add', 'openai', '--label', 'work'], fakeOpenAIKey());
    const result = await runCli(['configure', 'claude-code-router'], { env: w.env });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('config.sqlite');
    expect(readFileSync(w.config, 'utf8')).toBe(w.original);
    const status = JSON.parse((await w.cli(['status', '--agent', 'claude-code-router', '--json'])).stdout);
    expect(status.warnings.map((x: { code: string }) => x.code)).toContain('ccr-sqlite-config');
  });

  it('a malformed config.json gets a clear error with line and column, never its text, and stays untouched', async () => {
    const w = await world();
    const secret = usersOwnKey('sk-proj-');
    const broken = `{\n  "APIKEY": "${secret}",\n  "Providers": [ }\n`;
    writeFileSync(w.config, broken);
    await w.cli(['keys', 'add', 'openai', '--label', 'work'], fakeOpenAIKey());
    const result = await runCli(['configure', 'claude-code-router'], { env: w.env });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/line 3, column \d+/);
    expect(result.stderr).not.toContain(secret);
    expect(result.stdout).not.toContain(secret);
    expect(readFileSync(w.config, 'utf8')).toBe(broken);
  });
});
